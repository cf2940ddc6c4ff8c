// C++ hello: iostreams, std::string, a container and an exception (libstdc++ and
// libgcc_s in the image).
#include <iostream>
#include <numeric>
#include <stdexcept>
#include <string>
#include <vector>

int main() {
  std::vector<int> numbers(10);
  std::iota(numbers.begin(), numbers.end(), 1);
  std::cout << "Hello from C++ in a Nanos unikernel!" << std::endl;
  std::cout << "sum of 1..10 = " << std::accumulate(numbers.begin(), numbers.end(), 0) << '\n';
  try {
    throw std::runtime_error("caught as expected");
  } catch (const std::exception& e) {
    std::cout << "exception: " << e.what() << std::endl;
  }
  return 0;
}
