// A C++ HTTP/1.1 server: one std::thread per connection, blocking sockets, keep-alive.
// GET / answers with a greeting that counts the requests served; GET /exit stops the
// server (the guest powers off). Dynamically linked against libstdc++, so a test of it
// also covers the loader and the C++ runtime with sockets and threads.
// Usage: cpp-http-server [PORT] (default 8080).
#include <arpa/inet.h>
#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <string>
#include <sys/socket.h>
#include <thread>
#include <unistd.h>

namespace {

std::atomic<unsigned long> served{0};

class Socket {
public:
  explicit Socket(int fd) : fd_(fd) {}
  Socket(const Socket&) = delete;
  Socket& operator=(const Socket&) = delete;
  ~Socket() { ::close(fd_); }
  int fd() const { return fd_; }

  bool sendAll(const std::string& data) const {
    for (size_t off = 0; off < data.size();) {
      ssize_t n = ::send(fd_, data.data() + off, data.size() - off, MSG_NOSIGNAL);
      if (n <= 0)
        return false;
      off += static_cast<size_t>(n);
    }
    return true;
  }

private:
  int fd_;
};

std::string response(int status, const char* reason, const std::string& body, bool close) {
  return "HTTP/1.1 " + std::to_string(status) + " " + reason +
         "\r\nContent-Type: text/plain\r\nContent-Length: " + std::to_string(body.size()) +
         (close ? "\r\nConnection: close" : "") + "\r\n\r\n" + body;
}

// Serves one connection until the client closes it or asks to.
void serveConnection(int fd) {
  Socket s(fd);
  std::string in;
  char buf[4096];
  for (;;) {
    size_t end;
    while ((end = in.find("\r\n\r\n")) == std::string::npos) {
      ssize_t n = ::recv(s.fd(), buf, sizeof buf, 0);
      if (n <= 0 || in.size() > 65536)
        return;
      in.append(buf, static_cast<size_t>(n));
    }
    std::string head = in.substr(0, end);
    in.erase(0, end + 4);
    std::string line = head.substr(0, head.find("\r\n"));
    bool close = line.find(" HTTP/1.1") == std::string::npos ||
                 head.find("\r\nConnection: close") != std::string::npos;
    if (line.rfind("GET / ", 0) == 0) {
      unsigned long n = ++served;
      if (!s.sendAll(response(200, "OK",
                              "Hello from C++ in a unikernel, request " + std::to_string(n) + "\n",
                              close)))
        return;
    } else if (line.rfind("GET /exit ", 0) == 0) {
      s.sendAll(response(200, "OK", "bye\n", true));
      std::printf("cpp-http-server: /exit requested after %lu requests\n", served.load());
      std::exit(0);
    } else {
      s.sendAll(response(404, "Not Found", "not found\n", true));
      return;
    }
    if (close)
      return;
  }
}

} // namespace

int main(int argc, char** argv) {
  int port = argc > 1 ? std::atoi(argv[1]) : 8080;
  int listener = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  int one = 1;
  ::setsockopt(listener, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  if (listener < 0 || ::bind(listener, reinterpret_cast<sockaddr*>(&addr), sizeof addr) < 0 ||
      ::listen(listener, 1024) < 0) {
    std::perror("cpp-http-server: socket/bind/listen");
    return 1;
  }
  std::printf("cpp-http-server: listening on port %d\n", port);
  std::fflush(stdout);
  for (;;) {
    int fd = ::accept4(listener, nullptr, nullptr, SOCK_CLOEXEC);
    if (fd < 0)
      continue;
    ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    std::thread(serveConnection, fd).detach();
  }
}
