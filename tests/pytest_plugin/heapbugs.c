/* heapbugs.c: a small C extension with one planted heap bug per function, for the tests of
 * the pytest plugin (python/debugmalloc/pytest.py). Built with -O0 -g, so that each bug
 * stays as written and its line is in the debug information. */
#define PY_SSIZE_T_CLEAN
#include <Python.h>

#include <stdlib.h>
#include <string.h>

/* Blocks kept on purpose (a cache): reachable from this global, so never a leak. */
static void* g_cache[64];
static size_t g_cached;

/* Allocates n bytes and drops the pointer: a definite leak. */
static PyObject* heapbugs_leak(PyObject* self, PyObject* args) {
  Py_ssize_t n;
  if (!PyArg_ParseTuple(args, "n", &n)) return NULL;
  char* block = malloc((size_t)n); /* BUG leak */
  memset(block, 'x', (size_t)n);
  Py_RETURN_NONE;
}

/* Frees its argument: the first of the two frees below. */
static void release(char* block) { free(block); /* the first free */ }

/* Frees one block twice. */
static PyObject* heapbugs_double_free(PyObject* self, PyObject* unused) {
  char* block = malloc(24);
  memset(block, 0, 24);
  release(block);
  free(block); /* BUG double-free */
  Py_RETURN_NONE;
}

/* Writes one byte past the end of a 13-byte block, then frees it. (Under glibc the byte
 * lands in the block's padding, so the plain run is unharmed.) */
static PyObject* heapbugs_overflow(PyObject* self, PyObject* unused) {
  char* block = malloc(13); /* the overflowed block */
  memset(block, 'a', 13);
  block[13] = 'b';
  free(block); /* BUG overflow: the guard bytes are checked here */
  Py_RETURN_NONE;
}

/* Writes one byte past the end of a 13-byte block that stays in the cache: only a check of
 * the live blocks' guards finds it. */
static PyObject* heapbugs_overflow_kept(PyObject* self, PyObject* unused) {
  char* block = malloc(13); /* the overflowed live block */
  memset(block, 'a', 13);
  block[13] = 'b';
  if (g_cached < sizeof g_cache / sizeof g_cache[0]) g_cache[g_cached++] = block;
  Py_RETURN_NONE;
}

/* Allocates, uses and frees: nothing to report. */
static PyObject* heapbugs_clean(PyObject* self, PyObject* unused) {
  char* block = malloc(100);
  memset(block, 1, 100);
  char* copy = strdup("a string to copy");
  free(copy);
  free(block);
  Py_RETURN_NONE;
}

/* Keeps an n-byte block in a global cache: still reachable, not a leak. */
static PyObject* heapbugs_keep(PyObject* self, PyObject* args) {
  Py_ssize_t n;
  if (!PyArg_ParseTuple(args, "n", &n)) return NULL;
  if (g_cached < sizeof g_cache / sizeof g_cache[0]) {
    g_cache[g_cached] = malloc((size_t)n);
    memset(g_cache[g_cached], 0, (size_t)n);
    ++g_cached;
  }
  Py_RETURN_NONE;
}

static PyMethodDef heapbugs_methods[] = {
    {"leak", heapbugs_leak, METH_VARARGS, "Allocates n bytes and never frees them."},
    {"double_free", heapbugs_double_free, METH_NOARGS, "Frees one block twice."},
    {"overflow", heapbugs_overflow, METH_NOARGS, "Writes one byte past a block, then frees it."},
    {"overflow_kept", heapbugs_overflow_kept, METH_NOARGS, "Writes one byte past a block kept alive."},
    {"clean", heapbugs_clean, METH_NOARGS, "Allocates and frees: no bug."},
    {"keep", heapbugs_keep, METH_VARARGS, "Keeps an n-byte block in a global cache."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef heapbugs_module = {PyModuleDef_HEAD_INIT, "heapbugs", NULL, -1, heapbugs_methods};

PyMODINIT_FUNC PyInit_heapbugs(void) { return PyModule_Create(&heapbugs_module); }
