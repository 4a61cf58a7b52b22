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
#include <stdint.h>
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
    Py_ssize_t zeros = 0;
    while (zeros < size && chars[zeros] == '1') {
        zeros++;
    }
    /* The number in 32-bit limbs, least significant first; five digits at a time
     * (58**5 < 2**32), so each limb is touched once per five digits, not once per
     * digit. A digit is under 6 bits: size / 5 + 2 limbs always hold it. */
    Py_ssize_t capacity = size / 5 + 2;
    uint32_t *limbs = PyMem_Malloc((size_t)capacity * sizeof(uint32_t));
    if (limbs == NULL) {
        return PyErr_NoMemory();
    }
    Py_ssize_t used = 0; /* limbs in use; the top one is never 0 */
    for (Py_ssize_t i = zeros; i < size;) {
        uint64_t value = 0;
        uint64_t scale = 1;
        for (int k = 0; k < 5 && i < size; k++, i++) {
            int digit = DIGITS[chars[i]];
            if (digit < 0) {
                PyMem_Free(limbs);
                Py_RETURN_NONE;
            }
            value = value * 58u + (uint64_t)digit;
            scale *= 58u;
        }
        uint64_t carry = value;
        for (Py_ssize_t j = 0; j < used; j++) {
            uint64_t t = (uint64_t)limbs[j] * scale + carry;
            limbs[j] = (uint32_t)t;
            carry = t >> 32;
        }
        if (carry) {
            limbs[used++] = (uint32_t)carry; /* carry < 2**32: limb * scale + carry < 2**64 */
        }
    }
    Py_ssize_t top = 0; /* bytes of the top limb in use */
    if (used) {
        for (uint32_t limb = limbs[used - 1]; limb; limb >>= 8) {
            top++;
        }
    }
    Py_ssize_t length = used ? (used - 1) * 4 + top : 0;
    PyObject *result = PyBytes_FromStringAndSize(NULL, zeros + length);
    if (result != NULL) {
        unsigned char *out = (unsigned char *)PyBytes_AS_STRING(result);
        memset(out, 0, (size_t)zeros);
        unsigned char *at = out + zeros + length; /* written backwards, low limb last */
        for (Py_ssize_t j = 0; j < used; j++) {
            uint32_t limb = limbs[j];
            Py_ssize_t bytes = j == used - 1 ? top : 4;
            for (Py_ssize_t b = 0; b < bytes; b++) {
                *--at = (unsigned char)(limb & 0xff);
                limb >>= 8;
            }
        }
    }
    PyMem_Free(limbs);
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
