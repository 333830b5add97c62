/* Lost cycles, whatever their order in memory. Rings of three 16-byte nodes
 * ({next, other}: next closes the ring, other points into another ring) are
 * built and lost in the shapes of LEAK_CASE:
 *
 *   pair          two rings, the one at the higher address pointing into the other
 *   pairs         18 pairs: each node of the pointing ring to each node of the other,
 *                 with the pointing ring at the higher and at the lower address
 *   chain         A -> B -> C
 *   ring_of_rings A -> B -> C -> A, and D -> A with A -> B -> C -> A
 *   two_into_one  A -> C and B -> C
 *
 * The last three are built in every layout (which ring lies at which
 * addresses: every order of consecutive ranges, and two interleavings) and
 * with the edges landing on each node of the target ring in turn.
 *
 * The right answer: one definite block for each group of rings that no other
 * lost block points to, everything reached from it indirect. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct node {
  struct node* next;
  struct node* other;
};

#define MAX_RINGS 4

/* Ring r is made of the nodes of address ranks rank[r][0..2] (0: the lowest address). */
struct layout {
  int rank[MAX_RINGS][3];
};

struct edge {
  int from_ring, from_pos, to_ring, to_pos;
};

/* Allocates the rings' nodes, ranks them by address, links them and forgets them. */
__attribute__((noinline)) void make_rings(int rings, const struct layout* layout, int edges, const struct edge* edge) {
  struct node* nodes[3 * MAX_RINGS];
  int n = 3 * rings;
  for (int i = 0; i < n; ++i) nodes[i] = calloc(1, sizeof(struct node));
  for (int i = 1; i < n; ++i) /* insertion sort by address */
    for (int j = i; j > 0 && (uintptr_t)nodes[j] < (uintptr_t)nodes[j - 1]; --j) {
      struct node* t = nodes[j];
      nodes[j] = nodes[j - 1];
      nodes[j - 1] = t;
    }
  for (int r = 0; r < rings; ++r)
    for (int k = 0; k < 3; ++k) nodes[layout->rank[r][k]]->next = nodes[layout->rank[r][(k + 1) % 3]];
  for (int e = 0; e < edges; ++e)
    nodes[layout->rank[edge[e].from_ring][edge[e].from_pos]]->other =
        nodes[layout->rank[edge[e].to_ring][edge[e].to_pos]];
  memset(nodes, 0, sizeof nodes);
  __asm__ volatile("" ::"r"(nodes) : "memory");
}

/* Layouts of `rings` rings: ring order[r] in the r-th range of 3 consecutive ranks. */
static struct layout consecutive(int rings, const int* order) {
  struct layout l;
  for (int r = 0; r < rings; ++r)
    for (int k = 0; k < 3; ++k) l.rank[order[r]][k] = 3 * r + k;
  return l;
}

/* Interleaved: node k of ring r at rank k * rings + r (or the mirror image). */
static struct layout interleaved(int rings, int reversed) {
  struct layout l;
  for (int r = 0; r < rings; ++r)
    for (int k = 0; k < 3; ++k) l.rank[r][k] = reversed ? 3 * rings - 1 - (k * rings + r) : k * rings + r;
  return l;
}

/* Every layout of `rings` rings (all orders of consecutive ranges, two
 * interleavings), each with the edges landing on node 0, 1 and 2 of their
 * target ring. Returns the number of groups built. */
static int every_layout(int rings, int edges, const struct edge* edge) {
  int order[MAX_RINGS], groups = 0;
  struct layout layouts[32];
  int count = 0;
  /* Heap's algorithm over the ring orders. */
  int c[MAX_RINGS] = {0};
  for (int r = 0; r < rings; ++r) order[r] = r;
  layouts[count++] = consecutive(rings, order);
  for (int i = 1; i < rings;) {
    if (c[i] < i) {
      int j = i % 2 == 0 ? 0 : c[i];
      int t = order[j];
      order[j] = order[i];
      order[i] = t;
      layouts[count++] = consecutive(rings, order);
      ++c[i];
      i = 1;
    } else {
      c[i++] = 0;
    }
  }
  layouts[count++] = interleaved(rings, 0);
  layouts[count++] = interleaved(rings, 1);
  for (int l = 0; l < count; ++l)
    for (int target = 0; target < 3; ++target) {
      struct edge moved[MAX_RINGS];
      for (int e = 0; e < edges; ++e) {
        moved[e] = edge[e];
        moved[e].to_pos = (edge[e].to_pos + target) % 3;
      }
      make_rings(rings, &layouts[l], edges, moved);
      ++groups;
    }
  return groups;
}

int main(void) {
  const char* shape = getenv("LEAK_CASE");
  if (shape == NULL) shape = "pair";
  int groups = 0;
  if (strcmp(shape, "pair") == 0) {
    int order[2] = {0, 1};
    struct layout l = consecutive(2, order);
    struct edge higher_into_lower = {1, 0, 0, 1};
    make_rings(2, &l, 1, &higher_into_lower);
    groups = 1;
  } else if (strcmp(shape, "pairs") == 0) {
    int order[2] = {0, 1}; /* ring 0 at the lower addresses */
    struct layout l = consecutive(2, order);
    for (int pointing = 1; pointing >= 0; --pointing) /* the higher ring points, then the lower */
      for (int from = 0; from < 3; ++from)
        for (int to = 0; to < 3; ++to) {
          struct edge e = {pointing, from, 1 - pointing, to};
          make_rings(2, &l, 1, &e);
          ++groups;
        }
  } else if (strcmp(shape, "chain") == 0) {
    static const struct edge chain[2] = {{0, 1, 1, 0}, {1, 2, 2, 1}};
    groups = every_layout(3, 2, chain);
  } else if (strcmp(shape, "ring_of_rings") == 0) {
    static const struct edge ring[3] = {{0, 1, 1, 0}, {1, 2, 2, 1}, {2, 0, 0, 2}};
    static const struct edge entered[4] = {{0, 1, 1, 0}, {1, 2, 2, 1}, {2, 0, 0, 2}, {3, 1, 0, 0}};
    groups = every_layout(3, 3, ring);
    groups += every_layout(4, 4, entered);
  } else if (strcmp(shape, "two_into_one") == 0) {
    static const struct edge two[2] = {{0, 2, 2, 0}, {1, 1, 2, 1}};
    groups = every_layout(3, 2, two);
  } else {
    return 2;
  }
  printf("%s: %d groups of rings lost\n", shape, groups);
  return 0;
}
