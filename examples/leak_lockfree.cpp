// Tagged pointers: Boost.Lockfree keeps an ABA tag in the top 16 bits of its
// pointers on x86-64 (the queue's head, tail and every node's next, the stack's
// top, the free lists' heads), so a scan that takes only plain words for
// pointers finds no pointer to the nodes and calls them definitely lost.
//
// LEAK_CASE=global (the default): a queue and a stack that live for the whole
// process (placement-new'd into static storage, never destroyed, as servers
// keep them), 600 items pushed onto each and 100 popped again (their nodes go
// to the free lists): 500 items queued at exit, all still reachable.
// LEAK_CASE=lost: the same in a queue and a stack allocated with new whose
// pointers are dropped: the two objects are definitely lost and every node and
// item behind them indirectly (the tag keeps nothing alive on its own).
//
// The nodes come from NodeAllocator (allocate_node), the items from
// make_item: stdout says how many of each are live.
#include <boost/lockfree/queue.hpp>
#include <boost/lockfree/stack.hpp>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <new>

namespace {

long live_nodes = 0;

}  // namespace

__attribute__((noinline)) void* allocate_node(std::size_t bytes, std::size_t align) {
  ++live_nodes;
  return ::operator new(bytes, std::align_val_t(align));
}

__attribute__((noinline)) void free_node(void* p, std::size_t align) {
  --live_nodes;
  ::operator delete(p, std::align_val_t(align));
}

template <typename T>
struct NodeAllocator {
  using value_type = T;
  NodeAllocator() = default;
  template <typename U>
  NodeAllocator(const NodeAllocator<U>&) {}
  template <typename U>
  struct rebind {
    using other = NodeAllocator<U>;
  };
  T* allocate(std::size_t n) { return static_cast<T*>(allocate_node(n * sizeof(T), alignof(T))); }
  void deallocate(T* p, std::size_t) { free_node(p, alignof(T)); }
  bool operator==(const NodeAllocator&) const { return true; }
  bool operator!=(const NodeAllocator&) const { return false; }
};

struct Item {
  int id;
  char name[44];
};

using Queue = boost::lockfree::queue<Item*, boost::lockfree::allocator<NodeAllocator<void>>>;
using Stack = boost::lockfree::stack<Item*, boost::lockfree::allocator<NodeAllocator<void>>>;

__attribute__((noinline)) Item* make_item(int id) {
  Item* item = new Item;
  item->id = id;
  std::snprintf(item->name, sizeof item->name, "item %d", id);
  return item;
}

constexpr int kPushed = 600, kPopped = 100;

__attribute__((noinline)) long fill(Queue* queue, Stack* stack) {
  for (int i = 0; i < kPushed; ++i) {
    if (!queue->push(make_item(i)) || !stack->push(make_item(i))) return -1;
  }
  long sum = 0;
  for (int i = 0; i < kPopped; ++i) {
    Item* a = nullptr;
    Item* b = nullptr;
    if (!queue->pop(a) || !stack->pop(b)) return -1;
    sum += a->id + b->id;
    delete a;
    delete b;
  }
  return sum;
}

alignas(Queue) unsigned char queue_storage[sizeof(Queue)];
alignas(Stack) unsigned char stack_storage[sizeof(Stack)];

// The objects are lost when this returns: only its dead frame held them.
__attribute__((noinline)) long make_lost_structures() {
  Queue* queue = new Queue(0);
  Stack* stack = new Stack(0);
  long sum = fill(queue, stack);
  queue = nullptr;
  stack = nullptr;
  return sum;
}

int main() {
  const char* how = std::getenv("LEAK_CASE");
  bool lost = how != nullptr && std::strcmp(how, "lost") == 0;
  long sum;
  if (lost) {
    sum = make_lost_structures();
  } else {
    Queue* queue = new (queue_storage) Queue(0);
    Stack* stack = new (stack_storage) Stack(0);
    sum = fill(queue, stack);
  }
  if (sum < 0) return 1;
  std::printf("%s: %d items queued in each, %ld nodes live, popped ids sum %ld\n", lost ? "lost" : "global",
              kPushed - kPopped, live_nodes, sum);
  return 0;
}
