/* base58btc decoding in C: vc.keys.decode_multibase_btc's fast path.
 *
 * decode(text) -> bytes | None
 *
 * The number `text` writes in base 58 (Bitcoin's alphabet), big-endian, after one
 * zero byte per leading '1': byte for byte the base58 package's b58decode (tests in
 * tests/vc/test_keys.py). None when a character is outside the alphabet, when the
 * text is not ASCII, or when it is longer than MAX_CHARS (keys and signatures are
 * under 100; the caller's Python decoder takes the rest). Never raises but MemoryError.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <string.h>

#define MAX_CHARS 4096

static const char ALPHABET[] = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";

static signed char DIGITS[256];

static PyObject *
decode(PyObject *Py_UNUSED(module), PyObject *text)
{
    if (!PyUnicode_Check(text) || !PyUnicode_IS_ASCII(text)) {
        Py_RETURN_NONE;
    }
    Py_ssize_t size = PyUnicode_GET_LENGTH(text);
    if (size > MAX_CHARS) {
        Py_RETURN_NONE;
    }
    const unsigned char *chars = PyUnicode_1BYTE_DATA(text);
    /* 58**n < 256**(n * 0.733): at most 3n/4 + 1 bytes for the number. */
    Py_ssize_t capacity = size * 3 / 4 + 1;
    unsigned char *number = PyMem_Calloc((size_t)capacity, 1);
    if (number == NULL) {
        return PyErr_NoMemory();
    }
    Py_ssize_t zeros = 0;
    while (zeros < size && chars[zeros] == '1') {
        zeros++;
    }
    Py_ssize_t used = 0; /* bytes of `number` in use, from its end */
    for (Py_ssize_t i = zeros; i < size; i++) {
        int digit = DIGITS[chars[i]];
        if (digit < 0) {
            PyMem_Free(number);
            Py_RETURN_NONE;
        }
        unsigned int carry = (unsigned int)digit;
        Py_ssize_t j = 0;
        for (; (j < used || carry) && j < capacity; j++) {
            unsigned char *byte = &number[capacity - 1 - j];
            carry += 58u * *byte;
            *byte = (unsigned char)(carry & 0xff);
            carry >>= 8;
        }
        used = j;
    }
    PyObject *result = PyBytes_FromStringAndSize(NULL, zeros + used);
    if (result != NULL) {
        char *out = PyBytes_AS_STRING(result);
        memset(out, 0, (size_t)zeros);
        memcpy(out + zeros, number + capacity - used, (size_t)used);
    }
    PyMem_Free(number);
    return result;
}

static PyMethodDef methods[] = {
    {"decode", decode, METH_O,
     "decode(text) -> bytes | None\n\nThe bytes a base58btc text encodes; None when it is "
     "not base58btc (or longer than 4096 characters)."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {
    PyModuleDef_HEAD_INIT, "vc._base58",
    "base58btc decoding in C; see vc.keys.decode_multibase_btc.", -1, methods,
    NULL, NULL, NULL, NULL,
};

PyMODINIT_FUNC
PyInit__base58(void)
{
    memset(DIGITS, -1, sizeof DIGITS);
    for (int i = 0; ALPHABET[i]; i++) {
        DIGITS[(unsigned char)ALPHABET[i]] = (signed char)i;
    }
    return PyModule_Create(&module);
}
