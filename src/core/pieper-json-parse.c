/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "Pieper"

#include "config.h"

#include <string.h>

#include "pieper-json-private.h"

/* A parser of our own
 *
 * json-glib builds a hash table for every object and a slice for every
 * node; for a page of 100 incidents (200 KB) that is most of a sync's
 * CPU. This one keeps the tree in a few large blocks: a value is 32
 * bytes, an object's members lie side by side (looked up by a scan from
 * the last, so that of two members with one name the last counts, as in
 * json-glib), strings are decoded into the same blocks.
 */

typedef struct _Block Block;

struct _Block
{
  Block *next;
  gsize  size;
  gsize  used;
  /* The data follows, 8-byte aligned. */
};

#define BLOCK_HEADER (((sizeof (Block) + 7) / 8) * 8)
#define BLOCK_MIN    (16 * 1024)

struct _PieperJsonDoc
{
  Block           *blocks;
  gsize            next_size;
  PieperJsonValue  root;
};

typedef struct
{
  const char      *start;
  const char      *p;
  const char      *end;
  PieperJsonDoc   *doc;
  PieperJsonValue *stack;      /* children of the containers still open */
  gsize            stack_len;
  gsize            stack_size;
  guint            depth;
  guint            max_depth;
  PieperJsonShape  problem;
  gsize            where;
} Parser;

static void *
doc_alloc (PieperJsonDoc *doc,
           gsize          size)
{
  Block *block = doc->blocks;
  char *data;

  size = (size + 7) & ~(gsize) 7;
  if (block == NULL || block->size - block->used < size)
    {
      gsize block_size = MAX (doc->next_size, size);

      block = g_malloc (BLOCK_HEADER + block_size);
      block->next = doc->blocks;
      block->size = block_size;
      block->used = 0;
      doc->blocks = block;
      /* Grows, so a large document takes few blocks. */
      doc->next_size = MIN (block_size * 2, 4 * 1024 * 1024);
    }

  data = (char *) block + BLOCK_HEADER + block->used;
  block->used += size;
  return data;
}

void
_pieper_json_doc_free (PieperJsonDoc *doc)
{
  Block *block;

  if (doc == NULL)
    return;

  while ((block = doc->blocks) != NULL)
    {
      doc->blocks = block->next;
      g_free (block);
    }
  g_free (doc);
}

const PieperJsonValue *
_pieper_json_doc_get_root (PieperJsonDoc *doc)
{
  return doc != NULL ? &doc->root : NULL;
}

const PieperJsonValue *
_pieper_json_get_member (const PieperJsonValue *object,
                         const char            *name)
{
  gsize name_len;

  if (!_pieper_json_is (object, PIEPER_JSON_OBJECT))
    return NULL;

  name_len = strlen (name);
  for (guint i = object->length; i > 0; i--)
    {
      const PieperJsonValue *member = &object->v.children[i - 1];

      if (member->name_len == name_len && memcmp (member->name, name, name_len) == 0)
        return member;
    }

  return NULL;
}

guint
_pieper_json_get_length (const PieperJsonValue *array)
{
  if (_pieper_json_is (array, PIEPER_JSON_ARRAY) || _pieper_json_is (array, PIEPER_JSON_OBJECT))
    return array->length;

  return 0;
}

const PieperJsonValue *
_pieper_json_get_element (const PieperJsonValue *array,
                          guint                  index)
{
  if (index >= _pieper_json_get_length (array))
    return NULL;

  return &array->v.children[index];
}

static gboolean
fail (Parser          *parser,
      PieperJsonShape  problem)
{
  parser->problem = problem;
  parser->where = (gsize) (parser->p - parser->start);
  return FALSE;
}

/* Whitespace, and C comments (json-glib reads those too). */
static gboolean
skip_space (Parser *parser)
{
  const char *p = parser->p;
  const char *end = parser->end;

  /* Most often there is nothing to skip. */
  if (p < end && (guchar) *p > ' ' && *p != '/')
    return TRUE;

  for (;;)
    {
      while (p < end && (*p == ' ' || *p == '\n' || *p == '\r' || *p == '\t'))
        p++;

      if (p + 1 < end && p[0] == '/' && p[1] == '*')
        {
          const char *close = NULL;

          for (const char *q = p + 2; q + 1 < end; q++)
            if (q[0] == '*' && q[1] == '/')
              {
                close = q;
                break;
              }

          if (close == NULL)
            {
              parser->p = p;
              return fail (parser, PIEPER_JSON_SHAPE_SYNTAX);
            }
          p = close + 2;
          continue;
        }

      parser->p = p;
      return TRUE;
    }
}

static int
hex_digit (char c)
{
  if (c >= '0' && c <= '9')
    return c - '0';
  if (c >= 'a' && c <= 'f')
    return c - 'a' + 10;
  if (c >= 'A' && c <= 'F')
    return c - 'A' + 10;
  return -1;
}

static int
hex4_at (const char *p,
         const char *end)
{
  int value = 0;

  if (end - p < 4)
    return -1;

  for (guint k = 0; k < 4; k++)
    {
      int digit = hex_digit (p[k]);

      if (digit < 0)
        return -1;
      value = value * 16 + digit;
    }

  return value;
}

/* The bytes a string's scan stops at: 1 for '"', '\\' and NUL, 2 for
 * the first byte of a multi-byte UTF-8 sequence (or a byte that cannot
 * be one). */
static const guint8 string_stop[256] = {
  ['\0'] = 1, ['"'] = 1, ['\\'] = 1,
  [0x80] = 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2,
  2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2,
  2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2,
  2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2,
  2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2,
  2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2,
  2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2,
  2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2,
};

/* The length of the UTF-8 sequence at @p (RFC 3629: no overlong forms,
 * no surrogates, nothing above U+10FFFF), or 0 if it is not one. */
static gsize
utf8_sequence (const guchar *p,
               const guchar *end)
{
  guchar c = p[0];
  gsize n;
  guchar low = 0x80, high = 0xbf;

  if (c < 0x80)
    return 1;
  else if (c >= 0xc2 && c <= 0xdf)
    n = 2;
  else if (c >= 0xe0 && c <= 0xef)
    {
      n = 3;
      if (c == 0xe0)
        low = 0xa0;
      else if (c == 0xed)
        high = 0x9f;
    }
  else if (c >= 0xf0 && c <= 0xf4)
    {
      n = 4;
      if (c == 0xf0)
        low = 0x90;
      else if (c == 0xf4)
        high = 0x8f;
    }
  else
    return 0;

  if ((gsize) (end - p) < n || p[1] < low || p[1] > high)
    return 0;
  for (gsize k = 2; k < n; k++)
    if (p[k] < 0x80 || p[k] > 0xbf)
      return 0;

  return n;
}

#define ONES         G_GUINT64_CONSTANT (0x0101010101010101)
#define HIGHS        G_GUINT64_CONSTANT (0x8080808080808080)
#define HAS_ZERO(v)  (((v) - ONES) & ~(v))

/* The string at parser->p (its opening quote), decoded into the document. */
static gboolean
parse_string (Parser      *parser,
              const char **out,
              guint32     *out_len)
{
  const char *p = parser->p + 1;
  const char *end = parser->end;
  const char *q = p;
  gboolean escaped = FALSE;
  char *text;
  char *w;

  /* Find the end first, checking the UTF-8 on the way: what is decoded
   * is never longer. */
  for (;;)
    {
      /* Eight bytes at a time while none is '"', '\\', NUL or non-ASCII
       * (a false alarm only sends the bytes to the exact loop below). */
      while (end - q >= 8)
        {
          guint64 v, quote, backslash;

          memcpy (&v, q, 8);
          quote = v ^ (ONES * '"');
          backslash = v ^ (ONES * '\\');
          if (((HAS_ZERO (v) | HAS_ZERO (quote) | HAS_ZERO (backslash)) | v) & HIGHS)
            break;
          q += 8;
        }

      while (q < end && string_stop[(guchar) *q] == 0)
        q++;

      if (q >= end || *q == '"')
        break;

      if (*q == '\\')
        {
          escaped = TRUE;
          if (end - q < 2)
            break;
          q += 2;
        }
      else if (*q == '\0')
        {
          parser->p = q;
          return fail (parser, PIEPER_JSON_SHAPE_SYNTAX);
        }
      else
        {
          gsize n = utf8_sequence ((const guchar *) q, (const guchar *) end);

          if (n == 0)
            {
              parser->p = q;
              return fail (parser, PIEPER_JSON_SHAPE_NOT_UTF8);
            }
          q += n;
        }
    }

  if (q >= end || *q != '"')
    {
      parser->p = end;
      return fail (parser, PIEPER_JSON_SHAPE_SYNTAX);
    }

  if ((gsize) (q - p) >= G_MAXUINT32)
    return fail (parser, PIEPER_JSON_SHAPE_SYNTAX);

  text = doc_alloc (parser->doc, (gsize) (q - p) + 1);

  if (!escaped)
    {
      memcpy (text, p, (gsize) (q - p));
      text[q - p] = '\0';
      *out = text;
      *out_len = (guint32) (q - p);
      parser->p = q + 1;
      return TRUE;
    }

  w = text;
  while (p < q)
    {
      const char *backslash = memchr (p, '\\', (gsize) (q - p));
      gsize plain = (backslash != NULL ? backslash : q) - p;
      gunichar c;

      memcpy (w, p, plain);
      w += plain;
      p += plain;
      if (p >= q)
        break;

      /* p is at a backslash, and q (the closing quote) is after it. */
      switch (p[1])
        {
        case '"': c = '"'; p += 2; break;
        case '\\': c = '\\'; p += 2; break;
        case '/': c = '/'; p += 2; break;
        case 'b': c = '\b'; p += 2; break;
        case 'f': c = '\f'; p += 2; break;
        case 'n': c = '\n'; p += 2; break;
        case 'r': c = '\r'; p += 2; break;
        case 't': c = '\t'; p += 2; break;
        case 'u':
          {
            int unit = hex4_at (p + 2, q);

            if (unit < 0)
              {
                parser->p = p;
                return fail (parser, PIEPER_JSON_SHAPE_BAD_ESCAPE);
              }

            if (unit >= 0xd800 && unit <= 0xdbff)
              {
                int low = -1;

                if (q - p >= 12 && p[6] == '\\' && p[7] == 'u')
                  low = hex4_at (p + 8, q);
                if (low < 0xdc00 || low > 0xdfff)
                  {
                    parser->p = p;
                    return fail (parser, PIEPER_JSON_SHAPE_BAD_ESCAPE);
                  }
                c = 0x10000 + (((gunichar) unit - 0xd800) << 10) + ((gunichar) low - 0xdc00);
                p += 12;
              }
            else if (unit >= 0xdc00 && unit <= 0xdfff)
              {
                parser->p = p;
                return fail (parser, PIEPER_JSON_SHAPE_BAD_ESCAPE);
              }
            else
              {
                /* A NUL would end the string early in every getter. */
                c = unit == 0 ? 0xfffd : (gunichar) unit;
                p += 6;
              }
          }
          break;
        default:
          parser->p = p;
          return fail (parser, PIEPER_JSON_SHAPE_SYNTAX);
        }

      w += g_unichar_to_utf8 (c, w);
    }

  *w = '\0';
  *out = text;
  *out_len = (guint32) (w - text);
  parser->p = q + 1;
  return TRUE;
}

static gboolean
parse_number (Parser          *parser,
              PieperJsonValue *value)
{
  const char *start = parser->p;
  const char *p = start;
  const char *end = parser->end;
  gboolean negative = FALSE;
  gboolean integer = TRUE;
  guint64 magnitude = 0;

  if (p < end && *p == '-')
    {
      negative = TRUE;
      p++;
    }

  if (p >= end || !g_ascii_isdigit (*p))
    {
      parser->p = p;
      return fail (parser, PIEPER_JSON_SHAPE_SYNTAX);
    }

  if (*p == '0')
    p++;
  else
    for (; p < end && g_ascii_isdigit (*p); p++)
      {
        guint digit = (guint) (*p - '0');

        if (magnitude > (G_MAXUINT64 - digit) / 10)
          integer = FALSE;
        else
          magnitude = magnitude * 10 + digit;
      }

  if (p < end && *p == '.')
    {
      integer = FALSE;
      p++;
      if (p >= end || !g_ascii_isdigit (*p))
        {
          parser->p = p;
          return fail (parser, PIEPER_JSON_SHAPE_SYNTAX);
        }
      while (p < end && g_ascii_isdigit (*p))
        p++;
    }

  if (p < end && (*p == 'e' || *p == 'E'))
    {
      integer = FALSE;
      p++;
      if (p < end && (*p == '+' || *p == '-'))
        p++;
      if (p >= end || !g_ascii_isdigit (*p))
        {
          parser->p = p;
          return fail (parser, PIEPER_JSON_SHAPE_SYNTAX);
        }
      while (p < end && g_ascii_isdigit (*p))
        p++;
    }

  if (integer && (negative ? magnitude <= (guint64) G_MAXINT64 + 1 : magnitude <= (guint64) G_MAXINT64))
    {
      value->type = PIEPER_JSON_INT;
      value->v.integer = negative ? (gint64) (0 - magnitude) : (gint64) magnitude;
    }
  else
    {
      g_autofree char *copy = g_strndup (start, (gsize) (p - start));

      value->type = PIEPER_JSON_DOUBLE;
      value->v.number = g_ascii_strtod (copy, NULL);
    }

  parser->p = p;
  return TRUE;
}

static gboolean
parse_literal (Parser          *parser,
               const char      *word,
               PieperJsonValue *value)
{
  gsize len = strlen (word);

  if ((gsize) (parser->end - parser->p) < len || memcmp (parser->p, word, len) != 0)
    return fail (parser, PIEPER_JSON_SHAPE_SYNTAX);

  parser->p += len;
  return TRUE;
}

static void
push (Parser                *parser,
      const PieperJsonValue *value)
{
  if (parser->stack_len == parser->stack_size)
    {
      parser->stack_size = MAX (64, parser->stack_size * 2);
      parser->stack = g_renew (PieperJsonValue, parser->stack, parser->stack_size);
    }
  parser->stack[parser->stack_len++] = *value;
}

/* The children pushed since @base become @value's. */
static void
pop_children (Parser          *parser,
              gsize            base,
              PieperJsonValue *value)
{
  gsize n = parser->stack_len - base;

  value->length = (guint32) n;
  value->v.children = NULL;
  if (n > 0)
    {
      value->v.children = doc_alloc (parser->doc, n * sizeof (PieperJsonValue));
      memcpy (value->v.children, parser->stack + base, n * sizeof (PieperJsonValue));
    }
  parser->stack_len = base;
}

static gboolean parse_value (Parser          *parser,
                             PieperJsonValue *value);

static gboolean
parse_container (Parser          *parser,
                 PieperJsonValue *value)
{
  gboolean is_object = *parser->p == '{';
  char close = is_object ? '}' : ']';
  gsize base = parser->stack_len;

  if (++parser->depth > parser->max_depth)
    return fail (parser, PIEPER_JSON_SHAPE_TOO_DEEP);

  value->type = is_object ? PIEPER_JSON_OBJECT : PIEPER_JSON_ARRAY;
  parser->p++;
  if (!skip_space (parser))
    return FALSE;

  if (parser->p < parser->end && *parser->p == close)
    parser->p++;
  else
    for (;;)
      {
        PieperJsonValue child = { NULL, };

        if (is_object)
          {
            if (parser->p >= parser->end || *parser->p != '"')
              return fail (parser, PIEPER_JSON_SHAPE_SYNTAX);
            if (!parse_string (parser, &child.name, &child.name_len) ||
                !skip_space (parser))
              return FALSE;
            if (parser->p >= parser->end || *parser->p != ':')
              return fail (parser, PIEPER_JSON_SHAPE_SYNTAX);
            parser->p++;
          }

        if (!parse_value (parser, &child))
          return FALSE;
        push (parser, &child);

        if (!skip_space (parser))
          return FALSE;
        if (parser->p < parser->end && *parser->p == ',')
          {
            parser->p++;
            if (!skip_space (parser))
              return FALSE;
            continue;
          }
        if (parser->p < parser->end && *parser->p == close)
          {
            parser->p++;
            break;
          }
        return fail (parser, PIEPER_JSON_SHAPE_SYNTAX);
      }

  if (parser->stack_len - base > G_MAXUINT32)
    return fail (parser, PIEPER_JSON_SHAPE_SYNTAX);

  pop_children (parser, base, value);
  parser->depth--;
  return TRUE;
}

/* Fills @value's type and contents; a member's name is the caller's. */
static gboolean
parse_value (Parser          *parser,
             PieperJsonValue *value)
{
  if (!skip_space (parser))
    return FALSE;

  if (parser->p >= parser->end)
    return fail (parser, PIEPER_JSON_SHAPE_SYNTAX);

  switch (*parser->p)
    {
    case '{':
    case '[':
      return parse_container (parser, value);
    case '"':
      value->type = PIEPER_JSON_STRING;
      return parse_string (parser, &value->v.string, &value->length);
    case 't':
      value->type = PIEPER_JSON_BOOLEAN;
      value->v.boolean = TRUE;
      return parse_literal (parser, "true", value);
    case 'f':
      value->type = PIEPER_JSON_BOOLEAN;
      value->v.boolean = FALSE;
      return parse_literal (parser, "false", value);
    case 'n':
      value->type = PIEPER_JSON_NULL;
      return parse_literal (parser, "null", value);
    default:
      return parse_number (parser, value);
    }
}

/**
 * _pieper_json_parse:
 * @data: a document, not necessarily NUL-terminated
 * @length: its length in bytes
 * @max_depth: the most arrays and objects one inside another
 * @problem: (out) (optional): what is wrong with @data when it is refused
 * @where: (out) (optional): the byte offset where that was found
 *
 * Parses exactly one JSON value, with whitespace, C comments and a byte
 * order mark before it and whitespace or comments after it: anything else
 * after it is %PIEPER_JSON_SHAPE_SEVERAL_VALUES. Recursion is bounded by
 * @max_depth, strings are decoded (a \u0000 escape becomes U+FFFD, not a
 * NUL that would cut a title short or make one id another; only whole
 * surrogate pairs pass), and a
 * NUL byte outside an escape is refused, and so is text that is not UTF-8
 * (%PIEPER_JSON_SHAPE_NOT_UTF8: the caller may make it valid and parse
 * again).
 *
 * Returns: (transfer full) (nullable): the document
 */
PieperJsonDoc *
_pieper_json_parse (const char      *data,
                    gsize            length,
                    guint            max_depth,
                    PieperJsonShape *problem,
                    gsize           *where)
{
  g_autoptr(PieperJsonDoc) doc = g_new0 (PieperJsonDoc, 1);
  Parser parser = { NULL, };
  gboolean ok;

  /* Roughly what a page of incidents needs, in one block. */
  doc->next_size = MAX (BLOCK_MIN, MIN (length * 2, 4 * 1024 * 1024));

  parser.start = data;
  parser.p = data;
  parser.end = data + length;
  parser.doc = doc;
  parser.max_depth = max_depth;
  parser.problem = PIEPER_JSON_SHAPE_OK;

  if (length >= 3 && memcmp (data, "\xef\xbb\xbf", 3) == 0)
    parser.p += 3;

  ok = parse_value (&parser, &doc->root) && skip_space (&parser);
  if (ok && parser.p < parser.end)
    ok = fail (&parser, PIEPER_JSON_SHAPE_SEVERAL_VALUES);

  g_free (parser.stack);

  if (problem != NULL)
    *problem = ok ? PIEPER_JSON_SHAPE_OK : parser.problem;
  if (where != NULL)
    *where = ok ? 0 : parser.where;

  return ok ? g_steal_pointer (&doc) : NULL;
}
