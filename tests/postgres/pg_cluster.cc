// A private PostgreSQL server for a test binary (see pg_cluster.h).

#include "pg_cluster.h"

#include <fcntl.h>
#include <libpq-fe.h>
#include <pwd.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <memory>
#include <string>
#include <string_view>
#include <system_error>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/numbers.h"
#include "fmt/format.h"
#include "gtest/gtest.h"

#ifndef CCENGINE_PG_BIN_DIR
#define CCENGINE_PG_BIN_DIR ""
#endif

namespace ccengine::postgres::testing {
namespace {

namespace fs = std::filesystem;

constexpr int kPort = 5432;  // in our own socket directory: no clash

bool HasServerBinaries(const fs::path& dir) {
  return access((dir / "initdb").c_str(), X_OK) == 0 &&
         access((dir / "pg_ctl").c_str(), X_OK) == 0;
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

std::string Tail(std::string text, size_t n) {
  if (text.size() > n) text = "..." + text.substr(text.size() - n);
  return text;
}

std::string FindRunuser() {
  for (const char* path :
       {"/usr/sbin/runuser", "/sbin/runuser", "/usr/bin/runuser", "/bin/runuser"}) {
    if (access(path, X_OK) == 0) return path;
  }
  return "";
}

}  // namespace

absl::StatusOr<std::string> FindServerBinaries() {
  if (const char* env = std::getenv("CCENGINE_PG_BIN_DIR"); env != nullptr && *env) {
    if (HasServerBinaries(env)) return std::string(env);
    return absl::NotFoundError(
        fmt::format("CCENGINE_PG_BIN_DIR={} holds no initdb and pg_ctl", env));
  }
  if (const std::string built = CCENGINE_PG_BIN_DIR;
      !built.empty() && HasServerBinaries(built)) {
    return built;
  }
  // Debian: /usr/lib/postgresql/<major>/bin, the newest first.
  std::error_code ec;
  std::vector<std::pair<int, fs::path>> majors;
  for (const fs::directory_entry& entry :
       fs::directory_iterator("/usr/lib/postgresql", ec)) {
    int major = 0;
    if (absl::SimpleAtoi(entry.path().filename().string(), &major) &&
        HasServerBinaries(entry.path() / "bin")) {
      majors.emplace_back(major, entry.path() / "bin");
    }
  }
  if (!majors.empty()) return std::max_element(majors.begin(), majors.end())->second;
  if (const char* path = std::getenv("PATH"); path != nullptr) {
    std::string_view rest = path;
    while (!rest.empty()) {
      const size_t colon = std::min(rest.find(':'), rest.size());
      const std::string dir(rest.substr(0, colon));
      rest.remove_prefix(std::min(colon + 1, rest.size()));
      if (!dir.empty() && HasServerBinaries(dir)) return dir;
    }
  }
  return absl::NotFoundError(
      "no PostgreSQL server binaries (initdb, pg_ctl) in $CCENGINE_PG_BIN_DIR, "
      "/usr/lib/postgresql/*/bin or PATH; install postgresql-15 (scripts/setup.sh)");
}

bool InCi() {
  const char* ci = std::getenv("CI");
  return ci != nullptr && *ci != '\0';
}

absl::StatusOr<std::unique_ptr<PgCluster>> PgCluster::Start() {
  absl::StatusOr<std::string> bin = FindServerBinaries();
  if (!bin.ok()) return bin.status();
  std::string pattern = (fs::path(::testing::TempDir()) / "ccpg_XXXXXX").string();
  if (mkdtemp(pattern.data()) == nullptr) {
    return absl::InternalError(fmt::format("mkdtemp {}: {}", pattern, strerror(errno)));
  }
  auto cluster = std::unique_ptr<PgCluster>(new PgCluster(*bin, pattern));
  if (geteuid() == 0) {
    // The server will not run as root: the directory goes to `postgres`.
    const passwd* user = getpwnam("postgres");
    if (user == nullptr) {
      return absl::FailedPreconditionError(
          "running as root, and there is no `postgres` user to run the server as");
    }
    if (FindRunuser().empty()) return absl::FailedPreconditionError("no runuser");
    if (chown(cluster->dir_.c_str(), user->pw_uid, user->pw_gid) != 0) {
      return absl::InternalError(
          fmt::format("chown {} postgres: {}", cluster->dir_, strerror(errno)));
    }
  }
  const std::string data = cluster->dir_ + "/data";
  if (absl::Status s =
          cluster->Run("initdb", {"-D", data, "-U", "postgres", "-A", "trust", "-E",
                                  "UTF8", "--locale=C", "--no-sync"});
      !s.ok()) {
    return s;
  }
  if (absl::Status s = cluster->PgCtlStart(); !s.ok()) return s;
  if (absl::Status s =
          cluster->Run("createdb", {"-h", cluster->dir_, "-p", std::to_string(kPort),
                                    "-U", "postgres", "tickets"});
      !s.ok()) {
    return s;
  }
  return cluster;
}

PgCluster::~PgCluster() {
  if (running_) (void)Stop("immediate");
  std::error_code ec;
  fs::remove_all(dir_, ec);
}

absl::Status PgCluster::Stop(std::string_view mode) {
  absl::Status s = Run("pg_ctl", {"-D", dir_ + "/data", "-m", std::string(mode), "-w",
                                  "-t", "60", "stop"});
  if (s.ok()) running_ = false;
  return s;
}

absl::Status PgCluster::StartAgain() { return PgCtlStart(); }

absl::Status PgCluster::PgCtlStart() {
  // pg_ctl hands -o to a shell: the socket directory is quoted.
  const std::string server_options = fmt::format(
      "-k '{}' -p {} -c listen_addresses='' -c fsync=off -c shared_buffers=32MB", dir_,
      kPort);
  absl::Status s = Run("pg_ctl", {"-D", dir_ + "/data", "-l", dir_ + "/server.log", "-w",
                                  "-t", "60", "-o", server_options, "start"});
  if (s.ok()) running_ = true;
  return s;
}

std::string PgCluster::Dsn(std::string_view database) const {
  return fmt::format("host='{}' port={} user=postgres dbname={}", dir_, kPort, database);
}

absl::StatusOr<std::string> PgCluster::CreateDatabase() {
  const std::string name = fmt::format("t{}", ++databases_);
  absl::StatusOr<std::string> created = Sql("tickets", "CREATE DATABASE " + name);
  if (!created.ok()) return created.status();
  return name;
}

absl::StatusOr<std::string> PgCluster::Sql(std::string_view database,
                                           const std::string& sql) const {
  PGconn* conn = PQconnectdb((Dsn(database) + " connect_timeout=10").c_str());
  std::unique_ptr<PGconn, void (*)(PGconn*)> closer(conn, PQfinish);
  if (PQstatus(conn) != CONNECTION_OK) {
    return absl::UnavailableError(
        fmt::format("connect to {}: {}", database, PQerrorMessage(conn)));
  }
  std::unique_ptr<PGresult, void (*)(PGresult*)> result(PQexec(conn, sql.c_str()),
                                                        PQclear);
  const ExecStatusType status = PQresultStatus(result.get());
  if (status == PGRES_COMMAND_OK) return std::string();
  if (status != PGRES_TUPLES_OK) {
    return absl::InternalError(
        fmt::format("{}: {}", sql, PQresultErrorMessage(result.get())));
  }
  std::string out;
  for (int row = 0; row < PQntuples(result.get()); ++row) {
    if (row > 0) out += '\n';
    for (int column = 0; column < PQnfields(result.get()); ++column) {
      if (column > 0) out += '|';
      out += PQgetvalue(result.get(), row, column);
    }
  }
  return out;
}

absl::Status PgCluster::Run(const std::string& program,
                            const std::vector<std::string>& args) {
  std::vector<std::string> argv;
  if (geteuid() == 0) argv = {FindRunuser(), "-u", "postgres", "--"};
  argv.push_back(bin_ + "/" + program);
  argv.insert(argv.end(), args.begin(), args.end());
  std::vector<char*> c_argv;
  c_argv.reserve(argv.size() + 1);
  for (std::string& arg : argv) c_argv.push_back(arg.data());
  c_argv.push_back(nullptr);

  const std::string log = dir_ + "/command.log";
  const int out = open(log.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  const int in = open("/dev/null", O_RDONLY | O_CLOEXEC);
  if (out < 0 || in < 0) {
    return absl::InternalError(fmt::format("open {}: {}", log, strerror(errno)));
  }
  const pid_t pid = fork();
  if (pid == 0) {
    // In the directory: the server user may not be able to read ours.
    if (chdir(dir_.c_str()) != 0) _exit(126);
    dup2(in, 0);
    dup2(out, 1);
    dup2(out, 2);
    execv(c_argv[0], c_argv.data());
    _exit(127);
  }
  close(in);
  close(out);
  if (pid < 0) return absl::InternalError(fmt::format("fork: {}", strerror(errno)));
  int status = 0;
  while (waitpid(pid, &status, 0) < 0) {
    if (errno != EINTR) {
      return absl::InternalError(fmt::format("waitpid: {}", strerror(errno)));
    }
  }
  if (WIFEXITED(status) && WEXITSTATUS(status) == 0) return absl::OkStatus();
  std::string command;
  for (const std::string& arg : argv) command += (command.empty() ? "" : " ") + arg;
  return absl::InternalError(fmt::format("`{}` failed (status {}):\n{}\nserver log:\n{}",
                                         command, status, Tail(ReadFile(log), 2000),
                                         LogTail()));
}

std::string PgCluster::LogTail() const {
  return Tail(ReadFile(dir_ + "/server.log"), 2000);
}

}  // namespace ccengine::postgres::testing
