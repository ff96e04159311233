#include "tests/e2e/chaos_testutil.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>

#include "tests/emit_testutil.h"

namespace scimflow::testing_chaos {

pid_t SpawnScimflowWith(const std::vector<std::string>& args, const std::string& out_file,
                        const std::string& err_file, const std::string& token,
                        const ChildSetup& setup) {
  const pid_t pid = ::fork();
  if (pid != 0) return pid;
  // Child: only async-signal-safe work until exec, apart from setenv (single-threaded child).
  const int out = ::open(out_file.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
  const int err = ::open(err_file.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
  ::dup2(out, 1);
  ::dup2(err, 2);
  if (token.empty()) {
    ::unsetenv("SCIMFLOW_TOKEN");
  } else {
    ::setenv("SCIMFLOW_TOKEN", token.c_str(), 1);
  }
  for (const std::string& variable : setup.environment) {
    const size_t equals = variable.find('=');
    ::setenv(variable.substr(0, equals).c_str(), variable.substr(equals + 1).c_str(), 1);
  }
  if (setup.umask) ::umask(*setup.umask);
  if (setup.file_size_limit) {
    // Ignored signals stay ignored across exec, so the engine sees EFBIG, not a kill.
    ::signal(SIGXFSZ, SIG_IGN);
    const rlimit limit{*setup.file_size_limit, *setup.file_size_limit};
    ::setrlimit(RLIMIT_FSIZE, &limit);
  }
  std::vector<std::string> argv_text = {testing_emit::Binary()};
  argv_text.insert(argv_text.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (std::string& arg : argv_text) argv.push_back(arg.data());
  argv.push_back(nullptr);
  ::execv(argv[0], argv.data());
  ::_exit(127);
}

int RunScimflowWith(const std::vector<std::string>& args, const std::string& out_file,
                    const std::string& err_file, const std::string& token,
                    const ChildSetup& setup) {
  const pid_t pid = SpawnScimflowWith(args, out_file, err_file, token, setup);
  if (pid <= 0) return -1;
  return testing_emit::WaitExit(pid);
}

uint16_t FreeLoopbackPort() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t length = sizeof(address);
  uint16_t port = 0;
  if (::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)) == 0 &&
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length) == 0) {
    port = ntohs(address.sin_port);
  }
  ::close(fd);
  return port;
}

}  // namespace scimflow::testing_chaos
