// Valgrind's classes for lost blocks, from the shape of their graph alone.
//
// The nodes are the blocks no root reaches; an edge is a pointer (to any byte)
// from one such block to another. Every cycle collapses into one component
// (Tarjan's strongly connected components). A component that no other lost
// block points to holds one definite block, its first node (the lowest
// address: nodes are numbered in address order), the leader; every other node
// reachable from it is indirect and counted under it. A node reachable from
// several leaders goes to the first. The result does not depend on the order
// of the scan, and the cost is linear in nodes and edges.
//
// Runs inside the leak scan: mmap'd arrays only, no recursion.
//
// Graph is any type with
//   uint32_t node_count() const;
//   bool next_edge(uint32_t v, uintptr_t* cursor, uint32_t* w);
// next_edge returns v's edges one per call, starting from *cursor == 0, and
// false when there are no more (the graph uses *cursor as it likes).
#pragma once

#include <cstddef>
#include <cstdint>

#include "support/mmap_vector.h"

namespace dm {

inline constexpr uint32_t kNoNode = UINT32_MAX;

namespace lost_graph_detail {

struct Frame {
  uint32_t node;
  uintptr_t cursor;
};

inline bool fill(MmapVector<uint32_t>* v, size_t n, uint32_t value) {
  v->clear();
  if (!v->reserve(n)) return false;
  for (size_t i = 0; i < n; ++i)
    if (!v->push_back(value)) return false;
  return true;
}

// Tarjan's algorithm, iterative. component[v] receives v's component number.
template <typename Graph>
bool strongly_connect(Graph& graph, MmapVector<uint32_t>* component, uint32_t* components) {
  uint32_t n = graph.node_count();
  MmapVector<uint32_t> order, low, stack;
  MmapVector<Frame> calls;
  if (!fill(&order, n, 0) || !fill(&low, n, 0) || !fill(component, n, kNoNode)) return false;
  uint32_t next_order = 1;
  *components = 0;
  for (uint32_t root = 0; root < n; ++root) {
    if (order[root] != 0) continue;
    order[root] = low[root] = next_order++;
    if (!stack.push_back(root) || !calls.push_back(Frame{root, 0})) return false;
    while (!calls.empty()) {
      Frame& f = calls.back();
      uint32_t v = f.node, w = 0;
      bool descended = false;
      while (graph.next_edge(v, &f.cursor, &w)) {
        if (order[w] == 0) {
          order[w] = low[w] = next_order++;
          if (!stack.push_back(w) || !calls.push_back(Frame{w, 0})) return false;
          descended = true;
          break;
        }
        if ((*component)[w] == kNoNode && order[w] < low[v]) low[v] = order[w];  // w is on the stack
      }
      if (descended) continue;
      calls.pop_back();
      if (low[v] == order[v]) {
        uint32_t u;
        do {
          u = stack.back();
          stack.pop_back();
          (*component)[u] = *components;
        } while (u != v);
        ++*components;
      }
      if (!calls.empty()) {
        uint32_t parent = calls.back().node;
        if (low[v] < low[parent]) low[parent] = low[v];
      }
    }
  }
  return true;
}

}  // namespace lost_graph_detail

// The same graph with its edges read once into arrays (compressed rows): the
// classification walks the edges three times, and reading a block's words
// (each resolved to a block) costs far more than reading an array.
class EdgeArrays {
 public:
  template <typename Graph>
  bool build(Graph& graph) {
    uint32_t n = graph.node_count();
    first_.clear();
    targets_.clear();
    if (!first_.reserve(size_t{n} + 1)) return false;
    for (uint32_t v = 0; v < n; ++v) {
      if (!first_.push_back(targets_.size())) return false;
      uintptr_t cursor = 0;
      uint32_t w = 0;
      while (graph.next_edge(v, &cursor, &w))
        if (!targets_.push_back(w)) return false;
    }
    return first_.push_back(targets_.size());
  }
  uint32_t node_count() const { return static_cast<uint32_t>(first_.size() - 1); }
  bool next_edge(uint32_t v, uintptr_t* cursor, uint32_t* w) const {
    size_t i = first_[v] + *cursor;
    if (i >= first_[v + 1]) return false;
    *w = targets_[i];
    ++*cursor;
    return true;
  }

 private:
  MmapVector<size_t> first_;  // node v's edges are targets_[first_[v] .. first_[v + 1])
  MmapVector<uint32_t> targets_;
};

// Fills leader_of[v] with the leader that owns node v (v itself for a
// definite node). Returns false when out of memory.
template <typename Graph>
bool classify_lost(Graph& graph, MmapVector<uint32_t>* leader_of) {
  using namespace lost_graph_detail;
  uint32_t n = graph.node_count();
  MmapVector<uint32_t> component;
  uint32_t components = 0;
  if (!strongly_connect(graph, &component, &components)) return false;
  // A component is pointed to when an edge enters it from another one.
  MmapVector<uint32_t> pointed;
  if (!fill(&pointed, components, 0)) return false;
  for (uint32_t v = 0; v < n; ++v) {
    uintptr_t cursor = 0;
    uint32_t w = 0;
    while (graph.next_edge(v, &cursor, &w))
      if (component[w] != component[v]) pointed[component[w]] = 1;
  }
  // Leaders in address order, each claiming what it reaches and nobody claimed yet.
  if (!fill(leader_of, n, kNoNode)) return false;
  MmapVector<uint32_t> work;
  for (uint32_t leader = 0; leader < n; ++leader) {
    if (pointed[component[leader]] != 0 || (*leader_of)[leader] != kNoNode) continue;
    (*leader_of)[leader] = leader;
    if (!work.push_back(leader)) return false;
    while (!work.empty()) {
      uint32_t v = work.back();
      work.pop_back();
      uintptr_t cursor = 0;
      uint32_t w = 0;
      while (graph.next_edge(v, &cursor, &w)) {
        if ((*leader_of)[w] != kNoNode) continue;
        (*leader_of)[w] = leader;
        if (!work.push_back(w)) return false;
      }
    }
  }
  return true;
}

}  // namespace dm
