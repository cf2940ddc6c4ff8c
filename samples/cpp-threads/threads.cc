// C++ threads: std::thread, std::mutex, std::condition_variable, std::async,
// std::atomic wait/notify (C++20) and std::chrono with 8 threads. Every line of output is
// deterministic (threads hand results to main, which prints them in a fixed order).
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <future>
#include <iostream>
#include <mutex>
#include <numeric>
#include <queue>
#include <thread>
#include <vector>

namespace {

constexpr int kThreads = 8;

// Work for one thread: sum of i*i over its share of 1..80000.
std::uint64_t partial_sum_of_squares(int index) {
  std::uint64_t sum = 0;
  for (std::uint64_t i = index * 10000ull + 1; i <= (index + 1) * 10000ull; ++i)
    sum += i * i;
  return sum;
}

// A small blocking queue: one mutex and two condition variables.
class WorkQueue {
public:
  void push(int v) {
    std::unique_lock<std::mutex> lock(mutex_);
    not_full_.wait(lock, [this] { return items_.size() < 4; });
    items_.push(v);
    not_empty_.notify_one();
  }
  // Returns -1 once closed and drained.
  int pop() {
    std::unique_lock<std::mutex> lock(mutex_);
    not_empty_.wait(lock, [this] { return !items_.empty() || closed_; });
    if (items_.empty())
      return -1;
    int v = items_.front();
    items_.pop();
    not_full_.notify_one();
    return v;
  }
  void close() {
    std::lock_guard<std::mutex> lock(mutex_);
    closed_ = true;
    not_empty_.notify_all();
  }

private:
  std::mutex mutex_;
  std::condition_variable not_empty_, not_full_;
  std::queue<int> items_;
  bool closed_ = false;
};

} // namespace

int main() {
  using namespace std::chrono;
  std::cout << "C++ threads in a Nanos unikernel: " << kThreads << " threads" << std::endl;

  // 1. std::thread + std::mutex: each thread adds its partial result to a shared total.
  std::mutex total_mutex;
  std::uint64_t total = 0;
  std::vector<std::uint64_t> partial(kThreads);
  std::vector<std::thread> threads;
  for (int i = 0; i < kThreads; ++i)
    threads.emplace_back([i, &partial, &total, &total_mutex] {
      partial[i] = partial_sum_of_squares(i);
      std::lock_guard<std::mutex> lock(total_mutex);
      total += partial[i];
    });
  for (auto& t : threads)
    t.join();
  for (int i = 0; i < kThreads; ++i)
    std::cout << "thread " << i << ": sum of squares = " << partial[i] << '\n';
  std::cout << "total = " << total << " (expected " << 80000ull * 80001 * 160001 / 6 << ")\n";

  // 2. std::condition_variable: 4 producers, 4 consumers through a bounded queue.
  WorkQueue queue;
  std::mutex consumed_mutex;
  long consumed_sum = 0;
  int consumed_count = 0;
  std::vector<std::thread> producers, consumers;
  for (int c = 0; c < kThreads / 2; ++c)
    consumers.emplace_back([&] {
      for (int v; (v = queue.pop()) >= 0;) {
        std::lock_guard<std::mutex> lock(consumed_mutex);
        consumed_sum += v;
        ++consumed_count;
      }
    });
  for (int p = 0; p < kThreads / 2; ++p)
    producers.emplace_back([p, &queue] {
      for (int i = 1; i <= 50; ++i)
        queue.push(p * 1000 + i);
    });
  for (auto& t : producers)
    t.join();
  queue.close();
  for (auto& t : consumers)
    t.join();
  std::cout << "queue: " << consumed_count << " items, sum " << consumed_sum << '\n';

  // 3. std::async: 8 futures computing Fibonacci numbers.
  std::vector<std::future<std::uint64_t>> futures;
  for (int i = 0; i < kThreads; ++i)
    futures.push_back(std::async(std::launch::async, [n = 40 + i] {
      std::uint64_t a = 0, b = 1;
      for (int k = 0; k < n; ++k) {
        std::uint64_t next = a + b;
        a = b;
        b = next;
      }
      return a;
    }));
  std::cout << "async fib(40..47):";
  for (auto& f : futures)
    std::cout << ' ' << f.get();
  std::cout << '\n';

  // 4. std::chrono: 8 threads sleep 300 ms each, released together; while one sleeps
  // others do too (a kernel that busy-waited in nanosleep would never have two asleep).
  std::atomic<bool> go{false};
  std::atomic<int> asleep{0}, most_asleep{0};
  std::vector<std::thread> sleepers;
  for (int i = 0; i < kThreads; ++i)
    sleepers.emplace_back([&] {
      go.wait(false);
      int now_asleep = ++asleep;
      for (int seen = most_asleep.load(); now_asleep > seen &&
                                          !most_asleep.compare_exchange_weak(seen, now_asleep);) {
      }
      std::this_thread::sleep_for(milliseconds(300));
      --asleep;
    });
  auto start = steady_clock::now();
  go = true;
  go.notify_all();
  for (auto& t : sleepers)
    t.join();
  auto elapsed = duration_cast<milliseconds>(steady_clock::now() - start).count();
  std::cout << "8 sleeps of 300 ms: "
            << (elapsed >= 300 && most_asleep >= 2 ? "overlapped" : "NOT overlapped") << std::endl;
  return 0;
}
