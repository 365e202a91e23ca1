// cati-server: wiring only. Loads the study, opens the fieldwork file, builds the fieldwork application,
// access and the protocol adapter, and the network server, and runs until SIGTERM/SIGINT (graceful: terminals are told, in-flight commits
// finish, then connections close).
#include <CLI/CLI.hpp>
#include <boost/asio/signal_set.hpp>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>

#include "core/calling/calendar.hpp"
#include "core/ports/clock_spec.hpp"
#include "core/util/redact.hpp"
#include "net/access/access.hpp"
#include "net/fieldwork_app.hpp"
#include "net/listen_policy.hpp"
#include "net/log.hpp"
#include "net/protocol_adapter.hpp"
#include "net/server.hpp"
#include "net/standby.hpp"
#include "net/web_files.hpp"
#include "schema/loader.hpp"
#include "store/fieldwork_port.hpp"
#include "store/fieldwork_store.hpp"
#include "store/ownership.hpp"
#include "store/sodium_password_check.hpp"
#include "store/study_repo.hpp"

namespace {

std::string read_text(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// ---- ownership: one serving server per fieldwork file (README "One server per fieldwork") ----

// Exit statuses besides 0 (stopped), 1 (cannot start: options, study) and 3 (the file cannot be written).
constexpr int exit_held_elsewhere = 4;  // another live cati-server serves the file (without --standby)
constexpr int exit_ownership_lost = 5;  // a standby took the file over from this (paused) process

struct ownership_options {
  bool standby = false;
  double takeover_after = 10;  // seconds of silence of a paused or hung holder before --standby takes over
};

// Exits when another live server holds the file (status 4, the holder named), unless --standby.
std::unique_ptr<cati::store::store_ownership> make_owner(const std::filesystem::path& db) {
  cati::store::store_ownership::options options;
  options.file.path = db;
  options.file.on_reconnect = [](const std::string& what) { cati::net::log_warn(what); };
  // A process that finds its file taken over stops at once, before it can write or answer anything
  // (exit 5): whatever it still had in memory belongs to the new holder now.
  options.on_lost = [](const std::optional<cati::core::ownership_record>& now) {
    cati::net::log_error("another server took this fieldwork over",
                         now ? ": " + cati::core::describe(*now) : std::string(), "; stopping at once");
    std::cerr.flush();
    std::cout.flush();
    std::_Exit(exit_ownership_lost);
  };
  return cati::store::make_ownership(std::move(options));
}

cati::core::owner_identity identity(const std::string& address) {
  char host[256] = {};
  ::gethostname(host, sizeof host - 1);
  return {host, ::getpid(), address};
}

std::string named(const cati::core::ownership_refused& r) {
  return r.holder ? cati::core::describe(*r.holder) : std::string("a process that has not written its record yet");
}

// Without --standby: takes the file, or exits 4 naming the holder (before listening).
void claim_or_exit(cati::store::store_ownership& owner, const std::filesystem::path& db, const std::string& address) {
  auto claimed = owner.claim(identity(address));
  if (!claimed) {
    std::cerr << "cati-server: " << cati::store::redacted(db.native()) << " is served by cati-server on " << named(claimed.err())
              << ": stop that one first, or start this one with --standby to take over when it goes away\n";
    std::exit(exit_held_elsewhere);
  }
  cati::net::log_info("serving ", cati::store::redacted(db.native()), " as owner, epoch ", claimed->epoch);
}

// --standby: waits (serving as a standby meanwhile) until the holder is gone, then takes the file.
void take_over(cati::store::store_ownership& owner, const std::filesystem::path& db, const std::string& address,
               const ownership_options& o) {
  const auto silent = std::chrono::milliseconds(static_cast<long long>(o.takeover_after * 1000));
  const auto record = owner.take_over(identity(address), silent, [&](const cati::core::ownership_refused& r) {
    cati::net::log_info("standby: ", cati::store::redacted(db.native()), " is served by cati-server on ", named(r), "; waiting to take over");
  });
  cati::net::log_info("serving ", cati::store::redacted(db.native()), " as owner, epoch ", record.epoch);
}

// The URL terminals use for this server when none is given: its bound address (port 0 resolved).
std::string default_advertise(const cati::net::server& s) { return (s.tls() ? "wss://" : "ws://") + s.local_address(); }

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"cati-server: the CATI fieldwork server (WebSocket, cati.v1)"};
  std::string study_dir = "schema/ai_barometer_2025", db_path = "var/fieldwork.db", listen = "127.0.0.1:8080";
  std::string tls_cert, tls_key, clock_spec = "real", log_level = "info";
  unsigned threads = 2;
  unsigned idle_timeout = 300;
  bool insecure_listen = false;
  std::string advertise;
  ownership_options ownership;
  app.add_option("--study", study_dir, "the study folder")->capture_default_str();
  app.add_option("--db", db_path, "the fieldwork's SQLite file (created when missing), or a PostgreSQL database: postgresql://... "
                 "(or postgres://, or a libpq host=/dbname= string)")->capture_default_str();
  app.add_option("--listen", listen, "address:port to listen on (port 0: any free port)")->capture_default_str();
  app.add_option("--tls-cert", tls_cert, "PEM certificate: serve https/wss");
  app.add_option("--tls-key", tls_key, "PEM private key of --tls-cert");
  app.add_option("--clock", clock_spec,
                 "real | from:<RFC 3339> (replay from that moment at real speed) | manual:<RFC 3339> (moved by "
                 "SetClock only)")
      ->capture_default_str();
  app.add_option("--threads", threads, "network threads")->capture_default_str()->check(CLI::Range(1u, 64u));
  app.add_option("--log-level", log_level, "error | warn | info | debug")->capture_default_str();
  app.add_option("--idle-timeout", idle_timeout,
                 "seconds after which a silent WebSocket is closed (pinged at half): how soon a dead peer is noticed")
      ->capture_default_str()
      ->check(CLI::Range(2u, 86400u));
  app.add_flag("--insecure-listen", insecure_listen, "allow a non-loopback address without TLS");
  app.add_flag("--standby", ownership.standby,
               "when another cati-server serves --db, serve as a standby (healthz 503, terminals sent to the active "
               "server) until it goes away, then take over (else: exit 4)");
  app.add_option("--advertise", advertise,
                 "the URL terminals use for this server (ws://host:port or wss://...), stored with the ownership "
                 "record so that standbys send terminals there; default: ws:// and the bound --listen address");
  app.add_option("--takeover-after", ownership.takeover_after,
                 "--standby: seconds a holder may stay silent (paused, hung) before it is taken over")
      ->capture_default_str()
      ->check(CLI::Range(0.5, 3600.0));
  CLI11_PARSE(app, argc, argv);

  try {
    auto level = cati::net::parse_log_level(log_level);
    if (!level) throw std::runtime_error("--log-level: '" + log_level + "' is not error, warn, info or debug");
    cati::net::set_log_level(*level);

    auto where = cati::net::parse_listen_address(listen);
    if (!where) throw std::runtime_error("--listen: " + where.err().message);
    if (tls_cert.empty() != tls_key.empty()) throw std::runtime_error("give both --tls-cert and --tls-key, or neither");
    if (auto refused = cati::net::check_listen_address(where->host, where->port, !tls_cert.empty(), insecure_listen))
      throw std::runtime_error(*refused);

    if (!advertise.empty() && advertise.rfind("ws://", 0) != 0 && advertise.rfind("wss://", 0) != 0)
      throw std::runtime_error("--advertise: '" + advertise + "' is not a ws:// or wss:// URL");

    // "manual:" is the documented name of the clock only a driver moves.
    bool manual = clock_spec.rfind("manual:", 0) == 0;
    if (manual) clock_spec = "fixed:" + clock_spec.substr(7);
    auto clock = cati::core::make_clock(clock_spec);
    if (!clock) throw std::runtime_error("--clock: " + clock.err().message);

    auto study = cati::schema::load_study_or_throw(study_dir);
    auto calendar = cati::core::calendar::make(*study);
    if (!calendar) throw std::runtime_error("study calendar: " + calendar.err().message);

    std::filesystem::path db(db_path);
    if (!cati::store::is_postgresql(db_path) && db.has_parent_path())
      std::filesystem::create_directories(db.parent_path());  // a file's folder (a URL has none)
    auto owner = make_owner(db);
    if (!ownership.standby) claim_or_exit(*owner, db, listen);
    auto metrics = std::make_shared<cati::net::metrics_registry>();

    // Healthz: "active" once this process holds the fieldwork; before that (a standby) 503 naming the
    // active server, as the ownership record stores it.
    std::atomic<bool> active{!ownership.standby};
    cati::net::active_server_lookup active_server(
        [&] {
          auto now = owner->current();
          return now ? now->holder.address : std::string();
        },
        std::chrono::milliseconds(500));
    cati::net::server_options options;
    options.address = where->host;
    options.port = where->port;
    options.threads = threads;
    options.tls_cert = tls_cert;
    options.tls_key = tls_key;
    options.files = cati::net::supervisor_page();
    options.limits.idle_timeout = std::chrono::seconds(idle_timeout);
    options.health = [&]() -> cati::net::health_report {
      if (active) return {true, "active\n"};
      return cati::net::standby_health(active_server.get());
    };

    // Connections go to the standby handler until this process holds the fieldwork, then to the service
    // (each stays with the handler it was opened with). Components start in this order and stop in the
    // reverse one (C++ destroys locals backwards): the server (its io_context), the store (its writer),
    // the fieldwork application (it waits for the commits it handed to the writer), access (it joins its
    // password-check thread), the protocol adapter. So no callback ever reaches a component that is gone.
    cati::net::handler_switch handler;
    cati::net::standby_handler standby(active_server);
    cati::net::server server(options, handler, metrics);
    if (advertise.empty()) advertise = default_advertise(server);

    // A standby listens at once; a signal before it holds the fieldwork just ends it (nothing to save).
    std::atomic<bool> serving{false};
    boost::asio::signal_set signals(server.context(), SIGINT, SIGTERM);
    signals.async_wait([&](boost::system::error_code ec, int sig) {
      if (ec) return;
      cati::net::log_info("signal ", sig, ": shutting down");
      if (!serving) {
        std::cout.flush();
        std::cerr.flush();
        std::_Exit(0);
      }
      server.stop();
    });
    if (ownership.standby) {
      handler.use(&standby);
      server.start();
      take_over(*owner, db, advertise, ownership);
    }
    owner->announce(advertise);

    // Another process holding the file's write lock (a sample import, an sqlite3 shell) is waited for.
    auto& busy_waits = metrics->add_counter("cati_store_busy_waits_total",
                                            "write transactions that waited for another process's lock");
    auto& busy_seconds = metrics->add_histogram("cati_store_busy_wait_seconds", "one such wait, until the lock was got",
                                                {0.1, 0.5, 1, 2, 5, 10, 20, 60, 300});
    // Group commit at work: how many requests share one transaction (and its fsync), and how long one
    // takes. Observed on the writer thread; histograms update lock-free.
    auto& batch_jobs = metrics->add_histogram("cati_commit_batch_jobs", "requests committed per SQLite transaction",
                                              {1, 2, 4, 8, 16, 32, 64, 128, 256, 512});
    auto& batch_seconds = metrics->add_histogram("cati_commit_batch_seconds", "one transaction, BEGIN to COMMIT done",
                                                 {0.0005, 0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.5});
    cati::store::fieldwork_store store({.path = db, .on_batch = [&](std::size_t jobs, std::chrono::duration<double> took) {
                                          batch_jobs.observe(static_cast<double>(jobs));
                                          batch_seconds.observe(took.count());
                                        },
                                        .on_busy = [&](std::chrono::duration<double> waited, bool over) {
                                          if (!over) {
                                            cati::net::log_warn("the database is locked by another process (",
                                                                waited.count(), " s so far): waiting");
                                            return;
                                          }
                                          busy_waits.inc();
                                          busy_seconds.observe(waited.count());
                                          cati::net::log_info("got the database's write lock after ", waited.count(), " s");
                                        },
                                        .write_guard = owner->write_guard(),
                                        // A PostgreSQL primary failover: the store reconnects and goes on.
                                        .on_reconnect = [](const std::string& what) { cati::net::log_warn(what); }});
    auto qfile = std::filesystem::is_directory(study_dir) ? std::filesystem::path(study_dir) / "questionnaire.textproto"
                                                           : std::filesystem::path(study_dir);
    auto text = read_text(qfile);
    const cati::store::study_record running{study->id, study->version, cati::store::study_hash(text), text, (*clock)->now()};
    // A new version is recorded and said; changed text under the same version is refused (study_repo.hpp).
    if (auto changed = cati::store::study_change(store.current_study(), running, cati::store::redacted(db.native())))
      cati::net::log_warn(*changed);
    store.register_study(running).get();
    cati::store::fieldwork_port port(store, *study);

    cati::net::app_options app_opts;
    int exit_code = 0;
    app_opts.on_storage_failure = [&](const std::string& why) {
      cati::net::log_error("the database cannot be written (", why, "): stopping; restart when it is fixed");
      exit_code = 3;
      server.stop();
    };
    cati::net::fieldwork_app application(server.context(), study, *calendar, **clock, port, port, *metrics, app_opts);
    const cati::store::sodium_password_check passwords;
    cati::net::login_guard::options login;
    cati::net::access logins(application.strand(), port, passwords, login);
    // Terminals reconnecting after a restart (or a takeover) resume with their tokens, which are in the
    // database, without a password check each.
    logins.restore(port.sessions());
    cati::net::protocol_adapter service(application, logins, *metrics, {.manual_clock = manual, .token_ttl = login.token_ttl});
    // The server outlives the adapter: sessions opened from now on go to it; whatever the server still
    // reports after the adapter is gone goes nowhere.
    struct unhook {
      cati::net::handler_switch& h;
      ~unhook() { h.use(nullptr); }
    } unhook_service{handler};
    handler.use(&service);
    application.start();
    serving = true;
    active = true;
    if (ownership.standby) {
      // Sessions opened while this was a standby were told to go elsewhere and closed; new ones are served.
      cati::net::log_info("took over: serving at ", advertise);
    } else {
      server.start();
    }
    server.wait();
    cati::net::log_info("stopped");
    return exit_code;
  } catch (const std::exception& e) {
    std::cerr << "cati-server: " << cati::core::redact_passwords(e.what()) << "\n";
    return 1;
  }
}
