#!/usr/bin/env python3
"""Writes the fuzz targets' seed corpora (fuzz/corpus/<target>/) from real inputs: the requests a
terminal and the supervisor page send in a real session (encoded with protoc from the text form below),
the seed study's questionnaire and expressions, the frame's first rows, journal files as cati-term writes
them. Run it again after the protocol or the seed study changes; the output is committed."""
import json
import os
import re
import shutil
import struct
import subprocess
import sys
import zlib

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CORPUS = os.path.join(ROOT, "fuzz", "corpus")
STUDY = os.path.join(ROOT, "schema", "ai_barometer_2025")

# The whole seed questionnaire run by an eligible firm (tests/fieldwork: complete_run).
RUN = [("intro", ""), ("s1_decider", "1"), ("s2_fte", "5"), ("s3_sector", "1"), ("q1_market", "3"),
       ("q2_ai_use", "3"), ("q3_ai_areas", "1 2"), ("q4_ai_tasks", "1"), ("q5_potential", "1"),
       ("q6_attitude", "2"), ("q7_fin_value", "1"), ("q8_bank_ai", "1"), ("q9_bank_domains", "1 2"), ("end", "")]


def answer(seq, question, value, interview="1", rid=None):
    return 'request_id: %d answer { interview_id: "%s" seq: %d question: "%s" value: "%s" }' % (
        rid or 10 + seq, interview, seq, question, value)


# Requests as the terminal and the supervisor page send them (protobuf text form).
REQUESTS = {
    "login": 'request_id: 1 login { user: "anna" password: "anna-secret-1" client: "cati-term 0.1" }',
    "resume_session": 'request_id: 2 resume_session { token: "0123456789abcdef0123456789abcdef" }',
    "next_case": "request_id: 3 next_case {}",
    "call_busy": 'request_id: 4 call_result { case_id: 1 outcome: BUSY number: "+3215876903" }',
    "call_appointment": 'request_id: 5 call_result { case_id: 2 outcome: APPOINTMENT appointment_at: '
                        '"2025-10-14T10:00:00+02:00" personal_appointment: true note: "ask for Koen" '
                        'number: "+3238474620" }',
    "start_interview": 'request_id: 6 start_interview { case_id: 1 language: "nl" }',
    "answer_intro": answer(1, "intro", ""),
    "answer_fte": answer(3, "s2_fte", "5"),
    "answer_multiple": answer(7, "q3_ai_areas", "1 2"),
    "back": 'request_id: 30 back { interview_id: "1" seq: 4 }',
    "suspend_break_off": 'request_id: 31 suspend { interview_id: "1" seq: 5 outcome: BREAK_OFF note: "hung up" }',
    "suspend_appointment": 'request_id: 32 suspend { interview_id: "1" seq: 5 outcome: APPOINTMENT '
                           'appointment_at: "2025-10-15T14:30:00+02:00" }',
    "set_language": 'request_id: 33 set_language { interview_id: "1" language: "fr" }',
    "watch_status": "request_id: 40 watch_status {}",
    "quota_set_target": 'request_id: 41 quota_action { kind: SET_TARGET quota: "region" values: "VLA" target: 120 }',
    "quota_close": 'request_id: 42 quota_action { kind: CLOSE quota: "region" values: "WAL" }',
    "set_clock": 'request_id: 50 set_clock { now: "2025-10-13T11:00:00+02:00" }',
    "ping": "request_id: 60 ping {}",
    "logout": "request_id: 61 logout {}",
}

# Request sequences for the fieldwork target (it starts with anna holding a case, interview 1 open; the
# next case the seed fieldwork hands her is case 10).
SESSIONS = {
    "complete_interview": [answer(i + 1, q, v) for i, (q, v) in enumerate(RUN)] + [REQUESTS["next_case"]],
    "break_off_then_call": [answer(1, "intro", ""), answer(2, "s1_decider", "1"), REQUESTS["suspend_break_off"]
                            .replace("seq: 5", "seq: 3"), REQUESTS["next_case"], REQUESTS["call_busy"].replace("case_id: 1 ", "case_id: 10 ")],
    "appointment": [answer(1, "intro", ""), REQUESTS["suspend_appointment"].replace("seq: 5", "seq: 2"),
                    REQUESTS["next_case"]],
    "back_and_repeat": [answer(1, "intro", ""), answer(2, "s1_decider", "1"),
                        'request_id: 30 back { interview_id: "1" seq: 3 }', answer(4, "s1_decider", "1"),
                        answer(4, "s1_decider", "1"), answer(5, "s2_fte", "501")],
    "screen_out": [answer(1, "intro", ""), answer(2, "s1_decider", "2"), REQUESTS["next_case"],
                   REQUESTS["call_appointment"].replace("case_id: 2 ", "case_id: 10 ")],
    "other_interviewer": ['request_id: 1 login { user: "bert" password: "x" }', REQUESTS["next_case"],
                          answer(1, "intro", ""), 'request_id: 7 start_interview { case_id: 1 }',
                          'request_id: 8 login { user: "anna" }', answer(1, "intro", "")],
    "supervisor": ['request_id: 1 login { user: "sue" password: "x" }', REQUESTS["watch_status"],
                   REQUESTS["quota_set_target"], REQUESTS["quota_close"],
                   'request_id: 43 quota_action { kind: REOPEN quota: "region" values: "WAL" }',
                   REQUESTS["next_case"]],
    "language_and_clock": [REQUESTS["set_language"], answer(1, "intro", ""), REQUESTS["set_clock"],
                           REQUESTS["ping"], REQUESTS["resume_session"], answer(2, "s1_decider", "1")],
    "lease_expiry": [answer(i + 1, q, v) for i, (q, v) in enumerate(RUN[:4])] +
                    ['request_id: 50 set_clock { now: "2025-10-13T12:00:00+02:00" }', REQUESTS["logout"],
                     'request_id: 1 login { user: "anna" }', REQUESTS["resume_session"], answer(5, "q1_market", "3")],
}


def encode(text):
    return subprocess.run(["protoc", "--encode=cati.v1.ClientMessage", "-I", os.path.join(ROOT, "proto"),
                           "cati/v1/wire.proto"], input=text.encode(), capture_output=True, check=True).stdout


def varint(n):
    out = b""
    while True:
        b = n & 0x7F
        n >>= 7
        out += bytes([b | (0x80 if n else 0)])
        if not n:
            return out


def write(target, name, data):
    folder = os.path.join(CORPUS, target)
    os.makedirs(folder, exist_ok=True)
    with open(os.path.join(folder, name), "wb") as f:
        f.write(data if isinstance(data, bytes) else data.encode())


def camel(name):
    head, *rest = name.split("_")
    return head + "".join(w.capitalize() for w in rest)


def text_to_dict(text):
    """A tiny reader for the one-line text form above (enough for these requests)."""
    tokens = re.findall(r'"(?:[^"\\]|\\.)*"|[{}]|[A-Za-z_0-9+:.-]+', text)
    def parse(i):
        obj = {}
        while i < len(tokens) and tokens[i] != "}":
            key = tokens[i].rstrip(":")
            i += 1
            if tokens[i] == "{":
                val, i = parse(i + 1)
                i += 1
            else:
                tok = tokens[i]
                val = json.loads(tok) if tok.startswith('"') else (tok if not re.fullmatch(r"-?\d+", tok) else int(tok))
                if val in ("true", "false"):
                    val = val == "true"
                i += 1
            if key == "request_id" or key == "case_id":
                val = str(val)  # 64-bit integers are strings in JSON
            if key in obj:  # repeated
                obj[key] = obj[key] if isinstance(obj[key], list) else [obj[key]]
                obj[key].append(val)
            elif key == "values":
                obj[key] = [val]
            else:
                obj[key] = val
        return {camel(k): v for k, v in obj.items()}, i
    return parse(0)[0]


def main():
    shutil.rmtree(CORPUS, ignore_errors=True)
    for name, text in REQUESTS.items():
        write("wire_binary", name, encode(text))
        write("wire_json", name + ".json", json.dumps(text_to_dict(text)))
    for name, requests in SESSIONS.items():
        write("fieldwork", name, b"".join(varint(len(e)) + e for e in map(encode, requests)))

    with open(os.path.join(STUDY, "questionnaire.textproto"), encoding="utf-8") as f:
        questionnaire = f.read()
    write("questionnaire", "ai_barometer_2025.textproto", questionnaire)
    # The study cut after its first questions: still well formed, reaches the lint's other paths.
    cut = questionnaire.index("questions {", questionnaire.index("name: \"s2_fte\""))
    write("questionnaire", "first_questions.textproto", questionnaire[:cut])

    exprs = sorted(set(re.findall(r'(?:relevant|constraint|condition): "((?:[^"\\]|\\.)*)"', questionnaire)))
    for i, e in enumerate(exprs):
        write("expr", "study_%02d" % i, e.encode().replace(b"\\'", b"'") + b"\0" + bytes(range(1, 33)))
    for i, e in enumerate(["coalesce(${q3_other}, 'none')", "if(${s2_fte} > 20, 1, 0) + count-selected(${q3_ai_areas})",
                           "string-length(${company}) div 2 mod 3", "not(${region} = 'VLA' or ${language} != 'fr')",
                           "-(${s2_fte} * 1.5) <= 10"]):
        write("expr", "language_%02d" % i, e.encode() + b"\0" + bytes(range(7, 40)))

    with open(os.path.join(STUDY, "frame.csv"), encoding="utf-8") as f:
        rows = f.read().splitlines(keepends=True)
    write("sample_csv", "frame_first_rows.csv", "".join(rows[:21]))
    write("sample_csv", "header_only.csv", rows[0])
    write("sample_csv", "quoted_crlf_bom.csv", "\ufeff" + rows[0].rstrip("\n") + "\r\n" +
          '"F9",  "Bakkerij ""De Zon"", Gent",+3292000001;+32470123456,"An, Peeters",VLA,services,4,nl\r\n')

    def record(kind, ident, payload=b""):
        body = bytes([kind]) + struct.pack("<Q", ident) + payload
        return struct.pack("<II", len(body), zlib.crc32(body)) + body
    sent = [encode(answer(i + 1, q, v)) for i, (q, v) in enumerate(RUN[:5])]
    clean = b"".join(record(1, 100 + i, p) for i, p in enumerate(sent)) + record(2, 100) + record(2, 102)
    write("journal", "clean", b"\0" + clean)
    write("journal", "torn_tail", b"\0" + clean + record(1, 200, sent[0])[:-7])
    write("journal", "bad_checksum", b"\0" + clean[:30] + bytes([clean[30] ^ 1]) + clean[31:])
    write("journal", "recipe", bytes([1, 5, 1, 3, 2, 1, 0]) + sent[1] + bytes(range(16)))
    write("journal", "recipe_cut", bytes([3, 9, 0, 1, 2, 2, 0, 4]) + sent[2] + bytes(range(40, 60)))

    # Screen type and choices, a typed answer, keys, then a real reply to print in the text form.
    screen = subprocess.run(["protoc", "--encode=cati.v1.ServerMessage", "-I", os.path.join(ROOT, "proto"),
                             "cati/v1/wire.proto"], input=b'request_id: 12 screen { interview_id: "1" question: '
                            b'"q3_ai_areas" type: MULTIPLE text: "Waarvoor gebruikt uw bedrijf AI?" choices { code: 1 '
                            b'label: "Klantenservice" } choices { code: 2 label: "Marketing" } choices { code: 9 '
                            b'label: "Weet niet" missing: true } position: 7 total: 15 language: "nl" next_seq: 7 '
                            b'can_go_back: true }', capture_output=True, check=True).stdout
    write("term_input", "multiple_choice", b"1 2\x00" + bytes([2, 3, 1, 2, 9, 0x41, 0x42]) + screen)
    write("term_input", "typed_accents", "Café ü 12,5 ".encode() + bytes(range(0, 64, 3)) + screen)


if __name__ == "__main__":
    sys.exit(main())
