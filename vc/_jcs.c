/* JCS (RFC 8785) for the JSON laurel verifies, in C: vc.canon.jcs's fast path.
 *
 * dumps(value) -> bytes | None
 *
 * Writes `value` as RFC 8785 does when it holds only dicts with str keys, lists,
 * str, int within +-(2**53 - 1), bool and None (every credential laurel has
 * seen). Anything else (a float, a larger int, a tuple, a lone surrogate, nesting
 * deeper than MAX_DEPTH) returns None, and the caller hands the value to the
 * rfc8785 package, which either writes it or names what is wrong. Never raises
 * for the value's content; only MemoryError.
 *
 * RFC 8785: members sorted by their names as UTF-16 code units (section 3.2.3);
 * strings as ECMAScript's JSON.stringify writes them (3.2.2.2): '"' and '\\'
 * escaped, \b \t \n \f \r short forms, other controls as \u00xx (lower-case hex),
 * everything else literal UTF-8; integers in the safe range in decimal (3.2.2.3).
 * Differential tests against rfc8785: tests/vc/test_jcs_native.py.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <stdlib.h>
#include <string.h>

#define MAX_DEPTH 256
#define SAFE_INT 9007199254740991LL /* 2**53 - 1 */

typedef struct {
    char *data;
    Py_ssize_t size;
    Py_ssize_t capacity;
} Buffer;

/* 0: written; 1: not plain (the caller falls back); -1: a Python error is set. */
enum { WRITTEN = 0, NOT_PLAIN = 1, FAILED = -1 };

static int
reserve(Buffer *buf, Py_ssize_t more)
{
    if (buf->size + more <= buf->capacity) {
        return WRITTEN;
    }
    Py_ssize_t capacity = buf->capacity ? buf->capacity : 4096;
    while (capacity < buf->size + more) {
        if (capacity > PY_SSIZE_T_MAX / 2) {
            PyErr_NoMemory();
            return FAILED;
        }
        capacity *= 2;
    }
    char *data = PyMem_Realloc(buf->data, (size_t)capacity);
    if (data == NULL) {
        PyErr_NoMemory();
        return FAILED;
    }
    buf->data = data;
    buf->capacity = capacity;
    return WRITTEN;
}

static int
put(Buffer *buf, const char *text, Py_ssize_t size)
{
    if (reserve(buf, size) != WRITTEN) {
        return FAILED;
    }
    memcpy(buf->data + buf->size, text, (size_t)size);
    buf->size += size;
    return WRITTEN;
}

static const char HEX[] = "0123456789abcdef";

static int
put_string(Buffer *buf, PyObject *text)
{
    Py_ssize_t size;
    const char *utf8 = PyUnicode_AsUTF8AndSize(text, &size);
    if (utf8 == NULL) {
        /* A lone surrogate: no UTF-8 for it. rfc8785 names the problem. */
        PyErr_Clear();
        return NOT_PLAIN;
    }
    /* Worst case: every byte a six-character \u00xx, plus the quotes. */
    if (size > (PY_SSIZE_T_MAX - 2) / 6 || reserve(buf, size * 6 + 2) != WRITTEN) {
        if (!PyErr_Occurred()) {
            PyErr_NoMemory();
        }
        return FAILED;
    }
    char *out = buf->data + buf->size;
    *out++ = '"';
    for (Py_ssize_t i = 0; i < size; i++) {
        unsigned char c = (unsigned char)utf8[i];
        if (c >= 0x20 && c != '"' && c != '\\') {
            *out++ = (char)c;
            continue;
        }
        *out++ = '\\';
        switch (c) {
        case '"': *out++ = '"'; break;
        case '\\': *out++ = '\\'; break;
        case '\b': *out++ = 'b'; break;
        case '\t': *out++ = 't'; break;
        case '\n': *out++ = 'n'; break;
        case '\f': *out++ = 'f'; break;
        case '\r': *out++ = 'r'; break;
        default:
            *out++ = 'u';
            *out++ = '0';
            *out++ = '0';
            *out++ = HEX[c >> 4];
            *out++ = HEX[c & 0xf];
        }
    }
    *out++ = '"';
    buf->size = out - buf->data;
    return WRITTEN;
}

/* The UTF-16 code unit at `index` of a name read as UTF-16 (beyond the BMP a code
 * point is two units: its surrogate pair). */
static inline Py_UCS4
unit_at(int kind, const void *data, Py_ssize_t *index, Py_UCS4 *low)
{
    if (*low) {
        Py_UCS4 unit = *low;
        *low = 0;
        (*index)++;
        return unit;
    }
    Py_UCS4 point = PyUnicode_READ(kind, data, *index);
    if (point <= 0xFFFF) {
        (*index)++;
        return point;
    }
    point -= 0x10000;
    *low = 0xDC00 + (point & 0x3FF);
    return 0xD800 + (point >> 10);
}

/* Whether name `a` sorts before `b` by UTF-16 code units (RFC 8785, 3.2.3). Inside
 * the BMP that is code-point order; beyond it, each surrogate pair counts as two units. */
static int
utf16_less(PyObject *a, PyObject *b)
{
    int kind_a = PyUnicode_KIND(a), kind_b = PyUnicode_KIND(b);
    const void *data_a = PyUnicode_DATA(a), *data_b = PyUnicode_DATA(b);
    Py_ssize_t size_a = PyUnicode_GET_LENGTH(a), size_b = PyUnicode_GET_LENGTH(b);
    Py_ssize_t i = 0, j = 0;
    Py_UCS4 low_a = 0, low_b = 0;
    while (i < size_a && j < size_b) {
        Py_UCS4 unit_a = unit_at(kind_a, data_a, &i, &low_a);
        Py_UCS4 unit_b = unit_at(kind_b, data_b, &j, &low_b);
        if (unit_a != unit_b) {
            return unit_a < unit_b;
        }
    }
    return i >= size_a && j < size_b;
}

typedef struct {
    PyObject *name;
    PyObject *value;
} Member;

static int
member_order(const void *a, const void *b)
{
    PyObject *name_a = ((const Member *)a)->name, *name_b = ((const Member *)b)->name;
    return utf16_less(name_a, name_b) ? -1 : utf16_less(name_b, name_a) ? 1 : 0;
}

static int write_value(Buffer *buf, PyObject *value, int depth);

static int
write_object(Buffer *buf, PyObject *object, int depth)
{
    Py_ssize_t count = PyDict_GET_SIZE(object);
    if (count == 0) {
        return put(buf, "{}", 2);
    }
    Member *members = PyMem_Malloc(sizeof(Member) * (size_t)count);
    if (members == NULL) {
        PyErr_NoMemory();
        return FAILED;
    }
    /* Borrowed references: the dict holds them, and no Python code runs until the
     * members are written (exact str keys and values only reach C functions). */
    Py_ssize_t position = 0, index = 0;
    PyObject *name, *value;
    while (PyDict_Next(object, &position, &name, &value)) {
        if (!PyUnicode_CheckExact(name)) {
            PyMem_Free(members);
            return NOT_PLAIN;
        }
        members[index].name = name;
        members[index].value = value;
        index++;
    }
    qsort(members, (size_t)count, sizeof(Member), member_order);
    int status = put(buf, "{", 1);
    for (Py_ssize_t i = 0; i < count && status == WRITTEN; i++) {
        if (i && (status = put(buf, ",", 1)) != WRITTEN) {
            break;
        }
        if ((status = put_string(buf, members[i].name)) != WRITTEN) {
            break;
        }
        if ((status = put(buf, ":", 1)) != WRITTEN) {
            break;
        }
        status = write_value(buf, members[i].value, depth + 1);
    }
    PyMem_Free(members);
    if (status == WRITTEN) {
        status = put(buf, "}", 1);
    }
    return status;
}

static int
write_array(Buffer *buf, PyObject *array, int depth)
{
    int status = put(buf, "[", 1);
    for (Py_ssize_t i = 0; i < PyList_GET_SIZE(array) && status == WRITTEN; i++) {
        if (i && (status = put(buf, ",", 1)) != WRITTEN) {
            break;
        }
        status = write_value(buf, PyList_GET_ITEM(array, i), depth + 1);
    }
    if (status == WRITTEN) {
        status = put(buf, "]", 1);
    }
    return status;
}

static int
write_integer(Buffer *buf, PyObject *number)
{
    int overflow;
    long long value = PyLong_AsLongLongAndOverflow(number, &overflow);
    if (value == -1 && PyErr_Occurred()) {
        return FAILED;
    }
    if (overflow || value > SAFE_INT || value < -SAFE_INT) {
        return NOT_PLAIN; /* ECMAScript writes it as a double: rfc8785's rules */
    }
    char digits[24];
    int size = snprintf(digits, sizeof digits, "%lld", value);
    return put(buf, digits, size);
}

static int
write_value(Buffer *buf, PyObject *value, int depth)
{
    if (value == NULL) {
        return PyErr_Occurred() ? FAILED : NOT_PLAIN;
    }
    if (depth > MAX_DEPTH) {
        return NOT_PLAIN;
    }
    if (PyUnicode_CheckExact(value)) {
        return put_string(buf, value);
    }
    if (PyDict_CheckExact(value)) {
        return write_object(buf, value, depth);
    }
    if (PyList_CheckExact(value)) {
        return write_array(buf, value, depth);
    }
    if (value == Py_True) {
        return put(buf, "true", 4);
    }
    if (value == Py_False) {
        return put(buf, "false", 5);
    }
    if (value == Py_None) {
        return put(buf, "null", 4);
    }
    if (PyLong_CheckExact(value)) {
        return write_integer(buf, value);
    }
    return NOT_PLAIN; /* floats, tuples, subclasses ...: rfc8785 decides */
}

static PyObject *
dumps(PyObject *Py_UNUSED(module), PyObject *value)
{
    Buffer buf = {NULL, 0, 0};
    int status = write_value(&buf, value, 0);
    PyObject *result = NULL;
    if (status == WRITTEN) {
        result = PyBytes_FromStringAndSize(buf.data, buf.size);
    } else if (status == NOT_PLAIN) {
        result = Py_NewRef(Py_None);
    }
    PyMem_Free(buf.data);
    return result;
}

static PyMethodDef methods[] = {
    {"dumps", dumps, METH_O,
     "dumps(value) -> bytes | None\n\nRFC 8785 bytes of a value of dicts, lists, str, "
     "safe-range int, bool and None; None for anything else (the caller falls back)."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {
    PyModuleDef_HEAD_INIT, "vc._jcs",
    "JCS (RFC 8785) in C for plain JSON values; see vc.canon.jcs.", -1, methods,
    NULL, NULL, NULL, NULL,
};

PyMODINIT_FUNC
PyInit__jcs(void)
{
    return PyModule_Create(&module);
}
