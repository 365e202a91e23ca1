#include "browser/devtools.hpp"

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/buffers_to_string.hpp>
#include <boost/beast/core/detail/base64.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/websocket.hpp>
#include <google/protobuf/util/json_util.h>

#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <stdexcept>
#include <thread>

namespace cati::browser_test {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace pb = google::protobuf;
using namespace std::chrono_literals;

namespace {

constexpr auto reply_timeout = 60s;  // a loaded machine can be slow; this only bounds a broken browser

pb::Value text(const std::string& s) {
  pb::Value v;
  v.set_string_value(s);
  return v;
}
pb::Value number(double d) {
  pb::Value v;
  v.set_number_value(d);
  return v;
}
pb::Value boolean(bool b) {
  pb::Value v;
  v.set_bool_value(b);
  return v;
}

std::string to_json(const pb::Struct& s) {
  std::string out;
  if (!pb::util::MessageToJsonString(s, &out).ok()) throw std::runtime_error("cannot write JSON");
  return out;
}

}  // namespace

std::string find_on_path(const std::string& name) {
  const char* path = std::getenv("PATH");
  std::string dirs = path ? path : "/usr/bin:/bin";
  for (std::size_t start = 0; start <= dirs.size();) {
    auto end = dirs.find(':', start);
    if (end == std::string::npos) end = dirs.size();
    std::filesystem::path p = std::filesystem::path(dirs.substr(start, end - start)) / name;
    if (::access(p.c_str(), X_OK) == 0) return p.string();
    start = end + 1;
  }
  return {};
}

struct headless_chromium::impl {
  asio::io_context ioc;
  beast::websocket::stream<beast::tcp_stream> ws{ioc};
  std::string session_id;
  int next_id = 1;

  // Runs one async operation to completion or the timeout.
  template <class Start>
  void run(Start start, const char* what) {
    boost::system::error_code result = asio::error::would_block;
    start([&result](boost::system::error_code ec, auto&&...) { result = ec; });
    ioc.restart();
    ioc.run_for(reply_timeout);
    if (result == asio::error::would_block) throw std::runtime_error(std::string("DevTools: timed out: ") + what);
    if (result) throw std::runtime_error(std::string("DevTools: ") + what + ": " + result.message());
  }

  pb::Struct command(const std::string& method, const pb::Struct& params, bool in_page) {
    pb::Struct msg;
    const int id = next_id++;
    (*msg.mutable_fields())["id"] = number(id);
    (*msg.mutable_fields())["method"] = text(method);
    *(*msg.mutable_fields())["params"].mutable_struct_value() = params;
    if (in_page) (*msg.mutable_fields())["sessionId"] = text(session_id);
    const std::string out = to_json(msg);
    run([&](auto h) { ws.async_write(asio::buffer(out), h); }, method.c_str());
    for (;;) {  // events (no id) and other replies are skipped
      beast::flat_buffer buf;
      run([&](auto h) { ws.async_read(buf, h); }, method.c_str());
      pb::Struct reply;
      pb::util::JsonParseOptions o;
      o.ignore_unknown_fields = true;
      if (!pb::util::JsonStringToMessage(beast::buffers_to_string(buf.data()), &reply, o).ok()) continue;
      auto f = reply.fields().find("id");
      if (f == reply.fields().end() || f->second.number_value() != id) continue;
      if (auto e = reply.fields().find("error"); e != reply.fields().end())
        throw std::runtime_error("DevTools " + method + ": " + to_json(e->second.struct_value()));
      return reply.fields().at("result").struct_value();
    }
  }
};

headless_chromium::headless_chromium(const std::string& chromium, const std::filesystem::path& profile_dir)
    : impl_(std::make_unique<impl>()) {
  std::filesystem::remove_all(profile_dir);
  std::filesystem::create_directories(profile_dir);
  // --no-sandbox: the test may run as root (CI containers); the page is our own.
  process_ = std::make_unique<child_process>(
      std::vector<std::string>{chromium, "--headless=new", "--no-sandbox", "--disable-gpu", "--no-first-run",
                               "--disable-extensions", "--disable-dev-shm-usage", "--remote-debugging-port=0",
                               "--user-data-dir=" + profile_dir.string(), "--window-size=1280,1700", "about:blank"},
      true);
  // Chromium writes "PORT\n/devtools/browser/ID" once it listens.
  const auto active = profile_dir / "DevToolsActivePort";
  std::string port, path;
  for (int i = 0; i < 600 && port.empty(); ++i) {
    std::ifstream in(active);
    if (in && std::getline(in, port) && std::getline(in, path) && !path.empty()) break;
    port.clear();
    std::this_thread::sleep_for(100ms);
  }
  if (port.empty()) throw std::runtime_error("chromium did not open its DevTools port: " + process_->output());

  asio::ip::tcp::resolver resolver(impl_->ioc);
  auto where = resolver.resolve("127.0.0.1", port);
  impl_->run([&](auto h) { beast::get_lowest_layer(impl_->ws).async_connect(*where.begin(), h); }, "connect");
  impl_->run([&](auto h) { impl_->ws.async_handshake("127.0.0.1:" + port, path, h); }, "handshake");
  impl_->ws.read_message_max(64 * 1024 * 1024);  // screenshots are large

  pb::Struct target;
  (*target.mutable_fields())["url"] = text("about:blank");
  const auto created = impl_->command("Target.createTarget", target, false);
  pb::Struct attach;
  (*attach.mutable_fields())["targetId"] = created.fields().at("targetId");
  (*attach.mutable_fields())["flatten"] = boolean(true);
  impl_->session_id = impl_->command("Target.attachToTarget", attach, false).fields().at("sessionId").string_value();
  call("Page.enable");
  call("Runtime.enable");
}

headless_chromium::~headless_chromium() {
  try {
    impl_->command("Browser.close", {}, false);
  } catch (const std::exception&) {
    // Stopped below in any case.
  }
}

pb::Struct headless_chromium::call(const std::string& method, const pb::Struct& params) {
  return impl_->command(method, params, true);
}

std::string headless_chromium::eval(const std::string& expression) {
  pb::Struct p;
  (*p.mutable_fields())["expression"] = text(expression);
  (*p.mutable_fields())["returnByValue"] = boolean(true);
  const auto r = call("Runtime.evaluate", p);
  if (auto e = r.fields().find("exceptionDetails"); e != r.fields().end())
    throw std::runtime_error("page script failed: " + expression + ": " + to_json(e->second.struct_value()));
  const auto& v = r.fields().at("result").struct_value().fields();
  auto value = v.find("value");
  if (value == v.end()) return "undefined";
  switch (value->second.kind_case()) {
    case pb::Value::kStringValue: return value->second.string_value();
    case pb::Value::kBoolValue: return value->second.bool_value() ? "true" : "false";
    case pb::Value::kNumberValue: {
      const double d = value->second.number_value();
      return d == static_cast<double>(static_cast<long long>(d)) ? std::to_string(static_cast<long long>(d))
                                                                 : std::to_string(d);
    }
    default: return "null";
  }
}

bool headless_chromium::wait_until(const std::string& expression, std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    if (eval(expression) == "true") return true;
    std::this_thread::sleep_for(100ms);
  }
  return false;
}

void headless_chromium::navigate(const std::string& url) {
  pb::Struct p;
  (*p.mutable_fields())["url"] = text(url);
  call("Page.navigate", p);
  if (!wait_until("document.readyState === 'complete'", 60s)) throw std::runtime_error("the page did not load: " + url);
}

std::string headless_chromium::screenshot_png() {
  pb::Struct p;
  (*p.mutable_fields())["format"] = text("png");
  (*p.mutable_fields())["captureBeyondViewport"] = boolean(true);
  const auto data = call("Page.captureScreenshot", p).fields().at("data").string_value();
  std::string png(beast::detail::base64::decoded_size(data.size()), '\0');
  const auto used = beast::detail::base64::decode(png.data(), data.data(), data.size());
  png.resize(used.first);
  return png;
}

}  // namespace cati::browser_test
