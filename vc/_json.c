/* Strict JSON parsing for the documents laurel verifies, in C: vc.jsontext's fast path.
 *
 * loads(data, max_depth, max_array, max_string) -> dict | None
 *
 * Parses UTF-8 `data` (RFC 8259) into dicts, lists, str, int, float, bool and None
 * when it is a plain document within laurel's limits. Anything unusual returns None
 * and the caller parses the text with Python's `json` under laurel's own rules,
 * which either reads it or names what is wrong: invalid JSON or UTF-8, a byte order
 * mark, a duplicate key, NaN or Infinity, a number out of range or of more than 18
 * digits without a fraction, a lone surrogate escape, a control character in a
 * string, nesting of `max_depth` containers, an array of more than `max_array`
 * items, a string of more than `max_string` characters, or a root that is not an
 * object. So the fast path only ever accepts what the Python path accepts, with
 * the same value; it never explains. Never raises for the content; only
 * MemoryError. Differential tests against the Python path: tests/vc/test_json_native.py.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <math.h>
#include <stdint.h>
#include <string.h>

typedef struct {
    const unsigned char *at;
    const unsigned char *end;
    Py_ssize_t max_depth;
    Py_ssize_t max_array;
    Py_ssize_t max_string;
    /* Code points of the string being read (grown as needed). */
    Py_UCS4 *units;
    Py_ssize_t capacity;
} Parser;

/* NULL with no error set: not plain, the caller falls back. NULL with an error set:
 * MemoryError. */
static PyObject *value(Parser *p, Py_ssize_t depth);

static inline void
skip_space(Parser *p)
{
    while (p->at < p->end) {
        unsigned char c = *p->at;
        if (c != ' ' && c != '\t' && c != '\n' && c != '\r') {
            return;
        }
        p->at++;
    }
}

static int
hex4(const unsigned char *at, Py_UCS4 *out)
{
    Py_UCS4 v = 0;
    for (int i = 0; i < 4; i++) {
        unsigned char c = at[i];
        v <<= 4;
        if (c >= '0' && c <= '9') {
            v |= (Py_UCS4)(c - '0');
        }
        else if (c >= 'a' && c <= 'f') {
            v |= (Py_UCS4)(c - 'a' + 10);
        }
        else if (c >= 'A' && c <= 'F') {
            v |= (Py_UCS4)(c - 'A' + 10);
        }
        else {
            return 0;
        }
    }
    *out = v;
    return 1;
}

/* One UTF-8 sequence as Python's strict decoder reads it (no overlong forms, no
 * surrogates, nothing above U+10FFFF); 0 bytes when invalid. */
static int
utf8(const unsigned char *at, const unsigned char *end, Py_UCS4 *out)
{
    unsigned char c = at[0];
    Py_ssize_t left = end - at;
    if (c >= 0xC2 && c <= 0xDF) {
        if (left < 2 || (at[1] & 0xC0) != 0x80) {
            return 0;
        }
        *out = ((Py_UCS4)(c & 0x1F) << 6) | (at[1] & 0x3F);
        return 2;
    }
    if (c >= 0xE0 && c <= 0xEF) {
        if (left < 3 || (at[1] & 0xC0) != 0x80 || (at[2] & 0xC0) != 0x80) {
            return 0;
        }
        if ((c == 0xE0 && at[1] < 0xA0) || (c == 0xED && at[1] > 0x9F)) {
            return 0; /* overlong, or a surrogate */
        }
        *out = ((Py_UCS4)(c & 0x0F) << 12) | ((Py_UCS4)(at[1] & 0x3F) << 6) | (at[2] & 0x3F);
        return 3;
    }
    if (c >= 0xF0 && c <= 0xF4) {
        if (left < 4 || (at[1] & 0xC0) != 0x80 || (at[2] & 0xC0) != 0x80 ||
            (at[3] & 0xC0) != 0x80) {
            return 0;
        }
        if ((c == 0xF0 && at[1] < 0x90) || (c == 0xF4 && at[1] > 0x8F)) {
            return 0; /* overlong, or above U+10FFFF */
        }
        *out = ((Py_UCS4)(c & 0x07) << 18) | ((Py_UCS4)(at[1] & 0x3F) << 12) |
               ((Py_UCS4)(at[2] & 0x3F) << 6) | (at[3] & 0x3F);
        return 4;
    }
    return 0;
}

static int
reserve(Parser *p, Py_ssize_t need)
{
    if (need <= p->capacity) {
        return 1;
    }
    Py_ssize_t capacity = p->capacity ? p->capacity : 256;
    while (capacity < need) {
        capacity *= 2;
    }
    Py_UCS4 *units = PyMem_Realloc(p->units, (size_t)capacity * sizeof(Py_UCS4));
    if (units == NULL) {
        PyErr_NoMemory();
        return 0;
    }
    p->units = units;
    p->capacity = capacity;
    return 1;
}

/* A string; p->at is just past the opening quote. */
static PyObject *
string(Parser *p)
{
    const unsigned char *start = p->at;
    const unsigned char *at = start;
    /* The common case: printable ASCII, no escape. */
    while (at < p->end && *at != '"' && *at != '\\' && *at >= 0x20 && *at < 0x80) {
        at++;
    }
    if (at < p->end && *at == '"') {
        Py_ssize_t n = at - start;
        if (n > p->max_string) {
            return NULL;
        }
        PyObject *text = PyUnicode_New(n, 127);
        if (text == NULL) {
            return NULL;
        }
        memcpy(PyUnicode_1BYTE_DATA(text), start, (size_t)n);
        p->at = at + 1;
        return text;
    }
    /* Otherwise, code point by code point. */
    Py_ssize_t n = 0;
    at = start;
    for (;;) {
        if (at >= p->end) {
            return NULL;
        }
        unsigned char c = *at;
        Py_UCS4 cp;
        if (c == '"') {
            at++;
            break;
        }
        if (c < 0x20) {
            return NULL; /* a control character: json's strict mode refuses it */
        }
        if (c == '\\') {
            if (p->end - at < 2) {
                return NULL;
            }
            switch (at[1]) {
            case '"': cp = '"'; at += 2; break;
            case '\\': cp = '\\'; at += 2; break;
            case '/': cp = '/'; at += 2; break;
            case 'b': cp = '\b'; at += 2; break;
            case 'f': cp = '\f'; at += 2; break;
            case 'n': cp = '\n'; at += 2; break;
            case 'r': cp = '\r'; at += 2; break;
            case 't': cp = '\t'; at += 2; break;
            case 'u':
                if (p->end - at < 6 || !hex4(at + 2, &cp)) {
                    return NULL;
                }
                at += 6;
                if (cp >= 0xDC00 && cp <= 0xDFFF) {
                    return NULL; /* a lone low surrogate */
                }
                if (cp >= 0xD800 && cp <= 0xDBFF) {
                    Py_UCS4 low;
                    if (p->end - at < 6 || at[0] != '\\' || at[1] != 'u' || !hex4(at + 2, &low) ||
                        low < 0xDC00 || low > 0xDFFF) {
                        return NULL; /* a lone high surrogate */
                    }
                    cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
                    at += 6;
                }
                break;
            default:
                return NULL;
            }
        }
        else if (c < 0x80) {
            cp = c;
            at++;
        }
        else {
            int used = utf8(at, p->end, &cp);
            if (used == 0) {
                return NULL;
            }
            at += used;
        }
        if (n >= p->max_string) {
            return NULL;
        }
        if (!reserve(p, n + 1)) {
            return NULL;
        }
        p->units[n++] = cp;
    }
    p->at = at;
    return PyUnicode_FromKindAndData(PyUnicode_4BYTE_KIND, p->units, n);
}

static inline int
is_digit(const unsigned char *at, const unsigned char *end)
{
    return at < end && *at >= '0' && *at <= '9';
}

static PyObject *
number(Parser *p)
{
    const unsigned char *start = p->at;
    const unsigned char *at = start;
    int fraction = 0;
    if (at < p->end && *at == '-') {
        at++;
    }
    if (!is_digit(at, p->end)) {
        return NULL; /* "-" alone, "-Infinity" */
    }
    if (*at == '0') {
        at++;
    }
    else {
        while (is_digit(at, p->end)) {
            at++;
        }
    }
    if (at < p->end && *at == '.') {
        at++;
        if (!is_digit(at, p->end)) {
            return NULL;
        }
        while (is_digit(at, p->end)) {
            at++;
        }
        fraction = 1;
    }
    if (at < p->end && (*at == 'e' || *at == 'E')) {
        at++;
        if (at < p->end && (*at == '+' || *at == '-')) {
            at++;
        }
        if (!is_digit(at, p->end)) {
            return NULL;
        }
        while (is_digit(at, p->end)) {
            at++;
        }
        fraction = 1;
    }
    Py_ssize_t size = at - start;
    if (size > 64) {
        return NULL; /* long numbers: Python reads them (or names the limit) */
    }
    char text[72];
    memcpy(text, start, (size_t)size);
    text[size] = '\0';
    p->at = at;
    if (!fraction) {
        if (size > 18 + (start[0] == '-')) {
            return NULL;
        }
        return PyLong_FromLongLong(strtoll(text, NULL, 10));
    }
    /* float(text), as json's parse_float hook calls it: the same correctly rounded
     * conversion. */
    double v = PyOS_string_to_double(text, NULL, NULL);
    if (v == -1.0 && PyErr_Occurred()) {
        PyErr_Clear();
        return NULL;
    }
    if (!isfinite(v)) {
        return NULL;
    }
    return PyFloat_FromDouble(v);
}

/* Whether the container ends here (after any space), consuming `closer` if so. */
static int
closes(Parser *p, unsigned char closer)
{
    skip_space(p);
    if (p->at < p->end && *p->at == closer) {
        p->at++;
        return 1;
    }
    return 0;
}

enum { MORE, CLOSED, BAD };

/* After an item: a comma (MORE), the container's `closer` (CLOSED), or anything else. */
static int
after_item(Parser *p, unsigned char closer)
{
    skip_space(p);
    if (p->at >= p->end) {
        return BAD;
    }
    if (*p->at == ',') {
        p->at++;
        return MORE;
    }
    if (*p->at == closer) {
        p->at++;
        return CLOSED;
    }
    return BAD;
}

static PyObject *
array(Parser *p, Py_ssize_t depth)
{
    PyObject *list = PyList_New(0);
    if (list == NULL) {
        return NULL;
    }
    if (closes(p, ']')) {
        return list;
    }
    for (;;) {
        if (PyList_GET_SIZE(list) >= p->max_array) {
            goto fail;
        }
        PyObject *item = value(p, depth);
        if (item == NULL) {
            goto fail;
        }
        int appended = PyList_Append(list, item);
        Py_DECREF(item);
        if (appended < 0) {
            goto fail;
        }
        int next = after_item(p, ']');
        if (next == MORE) {
            continue;
        }
        if (next == CLOSED) {
            return list;
        }
        goto fail;
    }
fail:
    Py_DECREF(list);
    return NULL;
}

static PyObject *
object(Parser *p, Py_ssize_t depth)
{
    PyObject *dict = PyDict_New();
    if (dict == NULL) {
        return NULL;
    }
    if (closes(p, '}')) {
        return dict;
    }
    for (;;) {
        skip_space(p);
        if (p->at >= p->end || *p->at != '"') {
            goto fail;
        }
        p->at++;
        PyObject *key = string(p);
        if (key == NULL) {
            goto fail;
        }
        skip_space(p);
        if (p->at >= p->end || *p->at != ':') {
            Py_DECREF(key);
            goto fail;
        }
        p->at++;
        PyObject *item = value(p, depth);
        if (item == NULL) {
            Py_DECREF(key);
            goto fail;
        }
        Py_ssize_t before = PyDict_GET_SIZE(dict);
        int stored = PyDict_SetItem(dict, key, item);
        Py_DECREF(key);
        Py_DECREF(item);
        if (stored < 0 || PyDict_GET_SIZE(dict) == before) {
            goto fail; /* a duplicate key: the Python path names it */
        }
        int next = after_item(p, '}');
        if (next == MORE) {
            continue;
        }
        if (next == CLOSED) {
            return dict;
        }
        goto fail;
    }
fail:
    Py_DECREF(dict);
    return NULL;
}

static int
literal(Parser *p, const char *word, Py_ssize_t size)
{
    if (p->end - p->at < size || memcmp(p->at, word, (size_t)size) != 0) {
        return 0;
    }
    p->at += size;
    return 1;
}

static PyObject *
value(Parser *p, Py_ssize_t depth)
{
    skip_space(p);
    if (p->at >= p->end) {
        return NULL;
    }
    switch (*p->at) {
    case '{':
        if (depth + 1 >= p->max_depth) {
            return NULL;
        }
        p->at++;
        return object(p, depth + 1);
    case '[':
        if (depth + 1 >= p->max_depth) {
            return NULL;
        }
        p->at++;
        return array(p, depth + 1);
    case '"':
        p->at++;
        return string(p);
    case 't':
        if (literal(p, "true", 4)) {
            Py_RETURN_TRUE;
        }
        return NULL;
    case 'f':
        if (literal(p, "false", 5)) {
            Py_RETURN_FALSE;
        }
        return NULL;
    case 'n':
        if (literal(p, "null", 4)) {
            Py_RETURN_NONE;
        }
        return NULL;
    default:
        return number(p);
    }
}

static PyObject *
loads(PyObject *module, PyObject *const *args, Py_ssize_t nargs)
{
    if (nargs != 4 || !PyBytes_CheckExact(args[0])) {
        PyErr_SetString(PyExc_TypeError, "loads(data: bytes, max_depth, max_array, max_string)");
        return NULL;
    }
    Parser p = {0};
    p.max_depth = PyLong_AsSsize_t(args[1]);
    p.max_array = PyLong_AsSsize_t(args[2]);
    p.max_string = PyLong_AsSsize_t(args[3]);
    if (PyErr_Occurred()) {
        return NULL;
    }
    char *data;
    Py_ssize_t size;
    if (PyBytes_AsStringAndSize(args[0], &data, &size) < 0) {
        return NULL;
    }
    p.at = (const unsigned char *)data;
    p.end = p.at + size;
    skip_space(&p);
    PyObject *root = NULL;
    if (p.at < p.end && *p.at == '{') {
        root = value(&p, 0);
    }
    PyMem_Free(p.units);
    if (root == NULL) {
        if (PyErr_Occurred()) {
            if (!PyErr_ExceptionMatches(PyExc_MemoryError)) {
                PyErr_Clear();
                Py_RETURN_NONE;
            }
            return NULL;
        }
        Py_RETURN_NONE;
    }
    skip_space(&p);
    if (p.at != p.end) {
        Py_DECREF(root);
        Py_RETURN_NONE; /* extra data */
    }
    return root;
}

static PyMethodDef methods[] = {
    {"loads", (PyCFunction)(void (*)(void))loads, METH_FASTCALL,
     "A plain JSON object from UTF-8 bytes within the limits, else None."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {
    PyModuleDef_HEAD_INIT, "vc._json", "Strict JSON parsing in C (see vc.jsontext).", -1, methods,
};

PyMODINIT_FUNC
PyInit__json(void)
{
    return PyModule_Create(&module);
}
