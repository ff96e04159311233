#include "tests/e2e/chaos_testutil.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdlib>

#include "tests/emit_testutil.h"

namespace scimflow::testing_chaos {

int RunScimflowWith(const std::vector<std::string>& args, const std::string& out_file,
                    const std::string& err_file, const std::string& token,
                    const ChildSetup& setup) {
  const pid_t pid = testing_emit::SpawnScimflow(args, out_file, err_file, token, setup);
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
