// Users: Argon2id hashes, add / verify / disable, and the `cati users` commands (password from stdin,
// never from the command line).
#include <future>

#include "store/error.hpp"
#include "schema/loader.hpp"
#include "store/fieldwork_port.hpp"
#include "store_fixture.hpp"

namespace cati::test {
namespace {

TEST(UsersPassword, HashIsArgon2idAndVerifies) {
  auto hash = store::hash_password("correct horse");
  EXPECT_TRUE(hash.starts_with("$argon2id$")) << hash;
  EXPECT_EQ(hash.find("correct horse"), std::string::npos);
  EXPECT_TRUE(store::verify_password(hash, "correct horse"));
  EXPECT_FALSE(store::verify_password(hash, "correct horsE"));
  EXPECT_FALSE(store::verify_password(hash, ""));
  EXPECT_FALSE(store::verify_password("not a hash", "correct horse"));
  EXPECT_NE(store::hash_password("correct horse"), hash);  // salted
}

TEST(UsersPassword, EmptyAndShortPasswordsAreRefused) {
  EXPECT_EQ(store::password_problem(""), "the password is empty");
  EXPECT_EQ(store::password_problem("1234567"), "the password is too short: at least 8 characters");
  EXPECT_FALSE(store::password_problem("12345678"));
}

TEST(Users, AddFindListDisable) {
  temp_dir dir;
  store::fieldwork_store fw(options_for(dir / "fieldwork.db"));
  auto hash = store::hash_password("s3cret-pass");
  fw.add_user({"zoe", store::user_role::supervisor, {}, hash, fieldwork_time()}).get();
  fw.add_user({"ann", store::user_role::interviewer, {"nl", "fr"}, hash, fieldwork_time()}).get();

  auto ann = fw.find_user("ann");
  ASSERT_TRUE(ann);
  EXPECT_EQ(ann->role, store::user_role::interviewer);
  EXPECT_EQ(ann->languages, (std::vector<std::string>{"nl", "fr"}));
  EXPECT_FALSE(ann->disabled);
  EXPECT_TRUE(store::verify_password(ann->password_hash, "s3cret-pass"));
  EXPECT_FALSE(fw.find_user("nobody"));

  auto users = fw.list_users();
  ASSERT_EQ(users.size(), 2u);
  EXPECT_EQ(users[0].name, "ann");  // by name
  EXPECT_EQ(users[1].name, "zoe");

  try {
    fw.add_user({"ann", store::user_role::admin, {}, hash, fieldwork_time()}).get();
    ADD_FAILURE() << "added twice";
  } catch (const store::store_error& e) {
    EXPECT_EQ(e.code(), store::store_errc::conflict);
  }

  fw.disable_user("ann", fieldwork_time(5), users[1].id).get();
  EXPECT_TRUE(fw.find_user("ann")->disabled);
  fw.disable_user("ann", fieldwork_time(6), std::nullopt).get();  // again: nothing more happens
  auto audit = fw.audit_log();
  ASSERT_EQ(audit.size(), 1u);
  EXPECT_EQ(audit[0].action, "user_disable");
  EXPECT_EQ(audit[0].user_id, users[1].id);
  EXPECT_THROW(fw.disable_user("nobody", fieldwork_time(), std::nullopt).get(), store::store_error);
}

// ---- the command line ----

class UsersCommand : public ::testing::Test {
 protected:
  void SetUp() override {
    // CTest builds the tool before this suite (tests/CMakeLists.txt): a missing one is an error.
    if (!fs::exists(cati_binary)) FAIL() << "the cati tool is not built (" << cati_binary << ")";
    store::fieldwork_store made(options_for(db));  // `users add` never creates the file
  }
  run_result cati(const std::string& args, const std::string& input = "") {
    return run_cati(args + " --db " + db.string(), input, dir);
  }
  temp_dir dir;
  fs::path db = dir / "fieldwork.db";
};

TEST_F(UsersCommand, AddReadsThePasswordFromStdin) {
  auto r = cati("users add ann --role interviewer --languages nl,fr", "long enough\n");
  EXPECT_EQ(r.exit_code, 0) << r.output;
  store::fieldwork_store fw(options_for(db));
  auto ann = fw.find_user("ann");
  ASSERT_TRUE(ann);
  EXPECT_TRUE(store::verify_password(ann->password_hash, "long enough"));
  EXPECT_EQ(ann->languages, (std::vector<std::string>{"nl", "fr"}));
}

TEST_F(UsersCommand, ShortOrMissingPasswordIsRefused) {
  auto r = cati("users add ann --role supervisor", "short\n");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.output.find("too short"), std::string::npos) << r.output;
  r = cati("users add ann --role supervisor", "");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.output.find("no password given"), std::string::npos) << r.output;
  store::fieldwork_store fw(options_for(db));
  EXPECT_FALSE(fw.find_user("ann"));
}

TEST_F(UsersCommand, PasswordOnTheCommandLineIsNotAccepted) {
  auto r = cati("users add ann --role supervisor --password long-enough-1", "");
  EXPECT_NE(r.exit_code, 0);
  store::fieldwork_store fw(options_for(db));
  EXPECT_FALSE(fw.find_user("ann"));
}

TEST_F(UsersCommand, InterviewerNeedsLanguagesAndNamesAreUnique) {
  EXPECT_EQ(cati("users add ann --role interviewer", "long enough\n").exit_code, 1);
  EXPECT_EQ(cati("users add ann --role interviewer --languages 'nl;fr'", "long enough\n").exit_code, 1);
  EXPECT_EQ(cati("users add ann --role interviewer --languages nl", "long enough\n").exit_code, 0);
  auto again = cati("users add ann --role admin", "long enough\n");
  EXPECT_EQ(again.exit_code, 1);
  EXPECT_NE(again.output.find("user 'ann' already exists"), std::string::npos) << again.output;
}

// Refusal conversion goes to interviewers with the converter skill: stored with the user, and what the
// fieldwork's login hands the scheduler (core::user::converter).
TEST_F(UsersCommand, ConverterSkillIsStoredAndReachesTheFieldwork) {
  ASSERT_EQ(cati("users add rik --role interviewer --languages nl --skills converter", "long enough\n").exit_code, 0);
  ASSERT_EQ(cati("users add ann --role interviewer --languages nl", "long enough\n").exit_code, 0);
  EXPECT_NE(cati("users add bo --role interviewer --languages nl --skills juggler", "long enough\n").exit_code, 0);
  store::fieldwork_store fw(options_for(db));
  EXPECT_EQ(fw.find_user("rik")->skills, std::vector<std::string>{"converter"});
  EXPECT_TRUE(fw.find_user("ann")->skills.empty());
  EXPECT_FALSE(fw.find_user("bo"));
  auto study = schema::load_study_or_throw(std::string(CATI_SOURCE_DIR) + "/schema/ai_barometer_2025");
  store::fieldwork_port port(fw, *study);
  EXPECT_TRUE(port.find_account("rik")->who.converter);
  EXPECT_FALSE(port.find_account("ann")->who.converter);
  auto list = cati("users list");
  EXPECT_NE(list.output.find("converter"), std::string::npos) << list.output;
}

TEST_F(UsersCommand, ListAndDisable) {
  ASSERT_EQ(cati("users add bo --role interviewer --languages fr", "long enough\n").exit_code, 0);
  ASSERT_EQ(cati("users add al --role admin", "long enough\n").exit_code, 0);
  EXPECT_EQ(cati("users disable bo").exit_code, 0);
  auto list = cati("users list");
  EXPECT_EQ(list.exit_code, 0);
  auto al = list.output.find("al "), bo = list.output.find("bo ");
  ASSERT_NE(al, std::string::npos) << list.output;
  ASSERT_NE(bo, std::string::npos) << list.output;
  EXPECT_LT(al, bo);
  EXPECT_NE(list.output.find("disabled"), std::string::npos) << list.output;
  EXPECT_EQ(list.output.find("argon2"), std::string::npos);  // hashes are not shown
  auto unknown = cati("users disable nobody");
  EXPECT_EQ(unknown.exit_code, 1);
  EXPECT_NE(unknown.output.find("no user 'nobody'"), std::string::npos) << unknown.output;
}

TEST_F(UsersCommand, ListAndAddDoNotCreateAFieldwork) {
  const auto typo = dir / "fieldwrk.db";
  auto list = run_cati("users list --db " + typo.string(), "", dir);
  EXPECT_EQ(list.exit_code, 1);
  auto add = run_cati("users add ann --role supervisor --db " + typo.string(), "long enough\n", dir);
  EXPECT_EQ(add.exit_code, 1);
  EXPECT_NE(add.output.find("no such fieldwork file"), std::string::npos) << add.output;
  EXPECT_FALSE(fs::exists(typo));
}

TEST_F(UsersCommand, PasswordResetAndReEnableAreAudited) {
  ASSERT_EQ(cati("users add bo --role interviewer --languages fr", "long enough\n").exit_code, 0);
  auto reset = cati("users password bo", "a new password\n");
  EXPECT_EQ(reset.exit_code, 0) << reset.output;
  auto short_one = cati("users password bo", "short\n");
  EXPECT_EQ(short_one.exit_code, 1);
  EXPECT_NE(short_one.output.find("too short"), std::string::npos) << short_one.output;
  auto nobody = cati("users password nobody", "a new password\n");
  EXPECT_EQ(nobody.exit_code, 1);
  EXPECT_NE(nobody.output.find("no user 'nobody'"), std::string::npos) << nobody.output;
  ASSERT_EQ(cati("users disable bo").exit_code, 0);
  ASSERT_EQ(cati("users enable bo").exit_code, 0);
  store::fieldwork_store fw(options_for(db));
  auto bo = fw.find_user("bo");
  ASSERT_TRUE(bo);
  EXPECT_FALSE(bo->disabled);
  EXPECT_TRUE(store::verify_password(bo->password_hash, "a new password"));
  EXPECT_FALSE(store::verify_password(bo->password_hash, "long enough"));
  std::vector<std::string> actions;
  for (const auto& a : fw.audit_log()) actions.push_back(a.action);
  EXPECT_EQ(actions, (std::vector<std::string>{"user_add", "user_password", "user_disable", "user_enable"}));
}

TEST_F(UsersCommand, LoginNamesWithSpacesAreRefusedAndAddingIsAudited) {
  auto spaced = cati("users add 'ann marie' --role supervisor", "long enough\n");
  EXPECT_EQ(spaced.exit_code, 1);
  EXPECT_NE(spaced.output.find("is not a login name"), std::string::npos) << spaced.output;
  ASSERT_EQ(cati("users add ann --role supervisor", "long enough\n").exit_code, 0);
  store::fieldwork_store fw(options_for(db));
  EXPECT_FALSE(fw.find_user("ann marie"));
  auto audit = fw.audit_log();
  ASSERT_EQ(audit.size(), 1u);
  EXPECT_EQ(audit[0].action, "user_add");
  EXPECT_EQ(audit[0].details, "ann: supervisor");
}

}  // namespace
}  // namespace cati::test

namespace cati::test {
namespace {

TEST(UsersPassword, MinimumCostIsStillArgon2idAndVerifies) {
  auto hash = store::hash_password("bench-pass", store::hash_cost::minimum);
  EXPECT_TRUE(hash.starts_with("$argon2id$")) << hash;
  EXPECT_TRUE(store::verify_password(hash, "bench-pass"));
  EXPECT_FALSE(store::verify_password(hash, "bench-pasS"));
  EXPECT_NE(hash.substr(0, 30), store::hash_password("bench-pass").substr(0, 30));  // other parameters
}

// Session tokens by digest: stored, listed with their user, closed; a new one forgets the expired.
TEST(Sessions, OpenListCloseAndExpiry) {
  temp_dir dir;
  store::fieldwork_store fw(options_for(dir / "fieldwork.db"));
  fw.add_user({"zoe", store::user_role::interviewer, {"nl"}, store::hash_password("s3cret-pass", store::hash_cost::minimum),
               fieldwork_time()}).get();
  store::fieldwork_port port(fw, frame_study());
  auto commit = [&](core::change_list changes) {
    std::promise<std::optional<std::string>> done;
    port.commit(std::move(changes), [&](std::optional<std::string> e) { done.set_value(e); });
    return done.get_future().get();
  };
  EXPECT_EQ(commit({core::session_opened{"aa", "zoe", fieldwork_time(0), fieldwork_time(60)},
                    core::session_opened{"bb", "zoe", fieldwork_time(1), fieldwork_time(120)}}),
            std::nullopt);
  auto listed = port.sessions();
  ASSERT_EQ(listed.size(), 2U);
  EXPECT_EQ(listed[0].digest, "aa");
  EXPECT_EQ(listed[0].user, "zoe");
  EXPECT_EQ(listed[0].expires, fieldwork_time(60));
  // Issued after "aa" expired: "aa" is forgotten.
  EXPECT_EQ(commit({core::session_opened{"cc", "zoe", fieldwork_time(61), fieldwork_time(200)}}), std::nullopt);
  EXPECT_EQ(commit({core::session_closed{"bb"}}), std::nullopt);
  listed = port.sessions();
  ASSERT_EQ(listed.size(), 1U);
  EXPECT_EQ(listed[0].digest, "cc");
  // A token for nobody is refused with the name, and the whole commit with it.
  auto err = commit({core::session_closed{"cc"}, core::session_opened{"dd", "nobody", fieldwork_time(62), fieldwork_time(90)}});
  ASSERT_TRUE(err);
  EXPECT_NE(err->find("unknown user 'nobody'"), std::string::npos) << *err;
  EXPECT_EQ(port.sessions().size(), 1U);
}

}  // namespace
}  // namespace cati::test
