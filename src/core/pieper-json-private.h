/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <json-glib/json-glib.h>

G_BEGIN_DECLS

/* What _pieper_json_parse() found wrong with a document. */
typedef enum
{
  PIEPER_JSON_SHAPE_OK,
  PIEPER_JSON_SHAPE_TOO_DEEP,
  PIEPER_JSON_SHAPE_SEVERAL_VALUES,
  PIEPER_JSON_SHAPE_BAD_ESCAPE,
  PIEPER_JSON_SHAPE_SYNTAX,
  PIEPER_JSON_SHAPE_NOT_UTF8,
} PieperJsonShape;

/* A small strict JSON parser (RFC 8259, plus a byte order mark and C
 * comments) for untrusted documents: one pass, no recursion deeper than
 * @max_depth, the whole tree in a few blocks freed at once. Strings come
 * out decoded and NUL-terminated, a \u0000 escape made U+FFFD; a \u
 * escape that is not a whole surrogate pair is refused. */

typedef enum
{
  PIEPER_JSON_NULL,
  PIEPER_JSON_BOOLEAN,
  PIEPER_JSON_INT,
  PIEPER_JSON_DOUBLE,
  PIEPER_JSON_STRING,
  PIEPER_JSON_ARRAY,
  PIEPER_JSON_OBJECT,
} PieperJsonType;

typedef struct _PieperJsonValue PieperJsonValue;

struct _PieperJsonValue
{
  const char     *name;      /* a member's name in an object, else NULL */
  guint32         name_len;
  guint32         length;    /* a string's bytes; an array's or object's children */
  PieperJsonType  type;
  union {
    gboolean         boolean;
    gint64           integer;
    double           number;
    const char      *string;
    PieperJsonValue *children;
  } v;
};

typedef struct _PieperJsonDoc PieperJsonDoc;

/* On failure returns %NULL, with what was wrong in @problem and the byte
 * where it was found in @where. */
PieperJsonDoc         *_pieper_json_parse         (const char             *data,
                                                   gsize                   length,
                                                   guint                   max_depth,
                                                   PieperJsonShape        *problem,
                                                   gsize                  *where);
const PieperJsonValue *_pieper_json_doc_get_root  (PieperJsonDoc          *doc);
PieperJsonDoc         *_pieper_json_parse_untrusted (const char           *data,
                                                     gsize                 length,
                                                     guint                 max_depth,
                                                     PieperJsonShape      *problem,
                                                     char                **detail);
JsonNode              *_pieper_json_value_to_node (const PieperJsonValue  *value);
void                   _pieper_json_doc_free      (PieperJsonDoc          *doc);

/* Each takes %NULL, or a value of any type, and never warns. */
const PieperJsonValue *_pieper_json_get_member    (const PieperJsonValue  *object,
                                                   const char             *name);
guint                  _pieper_json_get_length    (const PieperJsonValue  *array);
const PieperJsonValue *_pieper_json_get_element   (const PieperJsonValue  *array,
                                                   guint                   index);

static inline gboolean
_pieper_json_is (const PieperJsonValue *value,
                 PieperJsonType         type)
{
  return value != NULL && value->type == type;
}

static inline const char *
_pieper_json_get_string (const PieperJsonValue *value)
{
  return _pieper_json_is (value, PIEPER_JSON_STRING) ? value->v.string : NULL;
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (PieperJsonDoc, _pieper_json_doc_free)

G_END_DECLS
