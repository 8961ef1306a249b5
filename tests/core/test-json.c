/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "test-json"

#include "config.h"

#include <math.h>
#include <string.h>

#include <json-glib/json-glib.h>

#include "pieper-json-private.h"

/*
 * pieper-json.c's own parser, which reads untrusted PagerDuty bodies: the
 * grammar, the limits, what it refuses and why, and the same tree as
 * json-glib for every PagerDuty fixture json-glib reads.
 */

#define DEPTH 64

static PieperJsonDoc *
parse (const char *text)
{
  PieperJsonShape problem = PIEPER_JSON_SHAPE_SYNTAX;
  PieperJsonDoc *doc = _pieper_json_parse (text, strlen (text), DEPTH, &problem, NULL);

  g_assert_cmpint (problem, ==, PIEPER_JSON_SHAPE_OK);
  g_assert_nonnull (doc);
  return doc;
}

static void
assert_refused_len (const char      *text,
                    gsize            length,
                    PieperJsonShape  expected)
{
  PieperJsonShape problem = PIEPER_JSON_SHAPE_OK;
  gsize where = G_MAXSIZE;
  PieperJsonDoc *doc = _pieper_json_parse (text, length, DEPTH, &problem, &where);

  if (doc != NULL)
    g_error ("“%.*s” was read", (int) length, text);
  g_assert_cmpint (problem, ==, expected);
  g_assert_cmpuint (where, <=, length);
}

static void
assert_refused (const char      *text,
                PieperJsonShape  expected)
{
  assert_refused_len (text, strlen (text), expected);
}

static void
test_values (void)
{
  g_autoptr(PieperJsonDoc) doc = parse (" {\"a\": 1, \"b\": -2, \"c\": 1.5, \"d\": \"x\\ny\","
                                        " \"e\": true, \"f\": false, \"g\": null,"
                                        " \"h\": [1, [2], {}], \"i\": {}, \"j\": []}\n");
  const PieperJsonValue *root = _pieper_json_doc_get_root (doc);
  const PieperJsonValue *h;

  g_assert_true (_pieper_json_is (root, PIEPER_JSON_OBJECT));
  g_assert_cmpuint (_pieper_json_get_length (root), ==, 10);
  g_assert_cmpint (_pieper_json_get_member (root, "a")->v.integer, ==, 1);
  g_assert_cmpint (_pieper_json_get_member (root, "b")->v.integer, ==, -2);
  g_assert_true (_pieper_json_is (_pieper_json_get_member (root, "c"), PIEPER_JSON_DOUBLE));
  g_assert_cmpfloat (_pieper_json_get_member (root, "c")->v.number, ==, 1.5);
  g_assert_cmpstr (_pieper_json_get_string (_pieper_json_get_member (root, "d")), ==, "x\ny");
  g_assert_cmpuint (_pieper_json_get_member (root, "d")->length, ==, 3);
  g_assert_true (_pieper_json_get_member (root, "e")->v.boolean);
  g_assert_true (_pieper_json_is (_pieper_json_get_member (root, "f"), PIEPER_JSON_BOOLEAN));
  g_assert_false (_pieper_json_get_member (root, "f")->v.boolean);
  g_assert_true (_pieper_json_is (_pieper_json_get_member (root, "g"), PIEPER_JSON_NULL));
  g_assert_null (_pieper_json_get_member (root, "missing"));
  g_assert_null (_pieper_json_get_member (root, ""));

  h = _pieper_json_get_member (root, "h");
  g_assert_cmpuint (_pieper_json_get_length (h), ==, 3);
  g_assert_cmpint (_pieper_json_get_element (h, 0)->v.integer, ==, 1);
  g_assert_cmpint (_pieper_json_get_element (_pieper_json_get_element (h, 1), 0)->v.integer, ==, 2);
  g_assert_true (_pieper_json_is (_pieper_json_get_element (h, 2), PIEPER_JSON_OBJECT));
  g_assert_null (_pieper_json_get_element (h, 3));
  g_assert_null (_pieper_json_get_element (h, G_MAXUINT));
  g_assert_cmpuint (_pieper_json_get_length (_pieper_json_get_member (root, "i")), ==, 0);
  g_assert_cmpuint (_pieper_json_get_length (_pieper_json_get_member (root, "j")), ==, 0);

  /* Nothing warns on the wrong type, or on NULL. */
  g_assert_null (_pieper_json_get_member (h, "a"));
  g_assert_null (_pieper_json_get_member (NULL, "a"));
  g_assert_null (_pieper_json_get_string (_pieper_json_get_member (root, "a")));
  g_assert_cmpuint (_pieper_json_get_length (_pieper_json_get_member (root, "d")), ==, 0);
  g_assert_null (_pieper_json_get_element (NULL, 0));
  g_assert_null (_pieper_json_doc_get_root (NULL));
  _pieper_json_doc_free (NULL);
}

/* Of two members with one name the last counts, as in json-glib. */
static void
test_duplicate_members (void)
{
  g_autoptr(PieperJsonDoc) doc = parse ("{\"id\": \"P1\", \"x\": 0, \"id\": \"P2\"}");

  g_assert_cmpstr (_pieper_json_get_string (_pieper_json_get_member (_pieper_json_doc_get_root (doc), "id")),
                   ==, "P2");
}

static void
test_numbers (void)
{
  static const struct {
    const char *text;
    gint64 value;
  } integers[] = {
    { "0", 0 }, { "-0", 0 }, { "42", 42 },
    { "9223372036854775807", G_MAXINT64 },
    { "-9223372036854775808", G_MININT64 },
  };
  static const struct {
    const char *text;
    double value;
  } doubles[] = {
    { "9223372036854775808", 9223372036854775808.0 },
    { "-9223372036854775809", -9223372036854775809.0 },
    { "1e3", 1000.0 }, { "2.5E-1", 0.25 }, { "-0.5", -0.5 }, { "3.0", 3.0 },
    { "1e400", HUGE_VAL },
  };
  static const char * const bad[] = {
    "-", "+1", ".5", "1.", "1e", "1e+", "0x10", "-a", "NaN", "Infinity", "01",
  };

  for (guint i = 0; i < G_N_ELEMENTS (integers); i++)
    {
      g_autoptr(PieperJsonDoc) doc = parse (integers[i].text);
      const PieperJsonValue *root = _pieper_json_doc_get_root (doc);

      g_assert_true (_pieper_json_is (root, PIEPER_JSON_INT));
      g_assert_cmpint (root->v.integer, ==, integers[i].value);
    }

  for (guint i = 0; i < G_N_ELEMENTS (doubles); i++)
    {
      g_autoptr(PieperJsonDoc) doc = parse (doubles[i].text);
      const PieperJsonValue *root = _pieper_json_doc_get_root (doc);

      g_assert_true (_pieper_json_is (root, PIEPER_JSON_DOUBLE));
      g_assert_cmpfloat (root->v.number, ==, doubles[i].value);
    }

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      PieperJsonShape problem = PIEPER_JSON_SHAPE_OK;

      g_assert_null (_pieper_json_parse (bad[i], strlen (bad[i]), DEPTH, &problem, NULL));
      g_assert_cmpint (problem, !=, PIEPER_JSON_SHAPE_OK);
    }
}

static void
assert_string (const char *json,
               const char *expected)
{
  g_autoptr(PieperJsonDoc) doc = parse (json);
  const PieperJsonValue *root = _pieper_json_doc_get_root (doc);

  g_assert_cmpstr (_pieper_json_get_string (root), ==, expected);
  g_assert_cmpuint (root->length, ==, strlen (expected));
  g_assert_true (g_utf8_validate (root->v.string, -1, NULL));
}

static void
test_strings (void)
{
  assert_string ("\"\"", "");
  assert_string ("\"plain text, long enough for the eight-byte scan\"",
                 "plain text, long enough for the eight-byte scan");
  assert_string ("\"\\\" \\\\ \\/ \\b \\f \\n \\r \\t\"", "\" \\ / \b \f \n \r \t");
  assert_string ("\"\\u00e9 \\u20AC \\ud83d\\ude00\"", "\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80");
  assert_string ("\"caf\xc3\xa9 \xf0\x9f\x98\x80 \xe2\x82\xac\"", "caf\xc3\xa9 \xf0\x9f\x98\x80 \xe2\x82\xac");
  /* A NUL would cut the string short in every getter: "P1\u0000x" is not
   * "P1". */
  assert_string ("\"P1\\u0000x\"", "P1\xef\xbf\xbdx");
  /* json-glib reads raw control characters inside strings; so does this,
   * and the mapping cleans them. */
  assert_string ("\"a\tb\"", "a\tb");

  assert_refused ("\"\\u12\"", PIEPER_JSON_SHAPE_BAD_ESCAPE);
  assert_refused ("\"\\u12x4\"", PIEPER_JSON_SHAPE_BAD_ESCAPE);
  assert_refused ("\"\\ud800\"", PIEPER_JSON_SHAPE_BAD_ESCAPE);
  assert_refused ("\"\\ud800\\u0041\"", PIEPER_JSON_SHAPE_BAD_ESCAPE);
  assert_refused ("\"\\ud800\\ud800\"", PIEPER_JSON_SHAPE_BAD_ESCAPE);
  assert_refused ("\"\\udc00\\udc00\"", PIEPER_JSON_SHAPE_BAD_ESCAPE);
  assert_refused ("\"\\ud800x\"", PIEPER_JSON_SHAPE_BAD_ESCAPE);
  assert_refused ("\"\\x41\"", PIEPER_JSON_SHAPE_SYNTAX);
  assert_refused ("\"unterminated", PIEPER_JSON_SHAPE_SYNTAX);
  assert_refused ("\"ends in a backslash\\", PIEPER_JSON_SHAPE_SYNTAX);
  assert_refused ("'single'", PIEPER_JSON_SHAPE_SYNTAX);
  assert_refused_len ("\"a\0b\"", 5, PIEPER_JSON_SHAPE_SYNTAX);
  assert_refused_len ("[1,\0]", 5, PIEPER_JSON_SHAPE_SYNTAX);

  /* Not UTF-8: stray bytes, overlong forms, surrogates, beyond U+10FFFF,
   * and a sequence cut short by the end of the string or document. */
  assert_refused ("\"\xff\"", PIEPER_JSON_SHAPE_NOT_UTF8);
  assert_refused ("\"\x80\"", PIEPER_JSON_SHAPE_NOT_UTF8);
  assert_refused ("\"\xc0\xaf\"", PIEPER_JSON_SHAPE_NOT_UTF8);
  assert_refused ("\"\xe0\x80\xaf\"", PIEPER_JSON_SHAPE_NOT_UTF8);
  assert_refused ("\"\xed\xa0\x80\"", PIEPER_JSON_SHAPE_NOT_UTF8);
  assert_refused ("\"\xf4\x90\x80\x80\"", PIEPER_JSON_SHAPE_NOT_UTF8);
  assert_refused ("\"\xe2\x82\"", PIEPER_JSON_SHAPE_NOT_UTF8);
  assert_refused ("\"long enough to be scanned 8 at a time \xe2\x82", PIEPER_JSON_SHAPE_NOT_UTF8);
}

static void
test_one_value (void)
{
  g_autoptr(PieperJsonDoc) bom = parse ("\xef\xbb\xbf{\"a\": 1}");
  g_autoptr(PieperJsonDoc) comments = parse ("/* before */ [1, /* ] */ 2] /* after */ \r\n");

  g_assert_cmpuint (_pieper_json_get_length (_pieper_json_doc_get_root (comments)), ==, 2);
  g_assert_cmpint (_pieper_json_get_member (_pieper_json_doc_get_root (bom), "a")->v.integer, ==, 1);

  assert_refused ("{}{}", PIEPER_JSON_SHAPE_SEVERAL_VALUES);
  assert_refused ("[1] [2]", PIEPER_JSON_SHAPE_SEVERAL_VALUES);
  assert_refused ("3.0{\"a\": 1}", PIEPER_JSON_SHAPE_SEVERAL_VALUES);
  assert_refused ("true[]", PIEPER_JSON_SHAPE_SEVERAL_VALUES);
  assert_refused ("\"a\" {}", PIEPER_JSON_SHAPE_SEVERAL_VALUES);
  assert_refused ("{} x", PIEPER_JSON_SHAPE_SEVERAL_VALUES);
  assert_refused ("", PIEPER_JSON_SHAPE_SYNTAX);
  assert_refused (" \n ", PIEPER_JSON_SHAPE_SYNTAX);
  assert_refused ("/* never closed", PIEPER_JSON_SHAPE_SYNTAX);
  assert_refused ("{\"a\": /[/ 1}", PIEPER_JSON_SHAPE_SYNTAX);
  assert_refused ("// line\n{}", PIEPER_JSON_SHAPE_SYNTAX);
  assert_refused ("{\"a\" 1}", PIEPER_JSON_SHAPE_SYNTAX);
  assert_refused ("{\"a\": 1,}", PIEPER_JSON_SHAPE_SYNTAX);
  assert_refused ("[1,]", PIEPER_JSON_SHAPE_SYNTAX);
  assert_refused ("[1 2]", PIEPER_JSON_SHAPE_SYNTAX);
  assert_refused ("{1: 2}", PIEPER_JSON_SHAPE_SYNTAX);
  assert_refused ("[tru]", PIEPER_JSON_SHAPE_SYNTAX);
  assert_refused ("nul", PIEPER_JSON_SHAPE_SYNTAX);
  assert_refused ("[", PIEPER_JSON_SHAPE_SYNTAX);
  assert_refused ("{\"a\":", PIEPER_JSON_SHAPE_SYNTAX);
}

static void
test_depth (void)
{
  g_autoptr(GString) deep = g_string_new (NULL);
  g_autoptr(PieperJsonDoc) doc = NULL;

  /* Objects and arrays, one in the other, as deep as allowed. */
  for (guint i = 0; i < DEPTH; i++)
    g_string_append (deep, i % 2 == 0 ? "{\"a\":" : "[");
  for (guint i = DEPTH; i > 0; i--)
    g_string_append_c (deep, (i - 1) % 2 == 0 ? '}' : ']');
  doc = parse (deep->str);
  g_assert_nonnull (doc);

  g_string_prepend_c (deep, '[');
  g_string_append_c (deep, ']');
  assert_refused (deep->str, PIEPER_JSON_SHAPE_TOO_DEEP);

  /* What would overflow a recursive parser's stack stops at the limit. */
  g_string_truncate (deep, 0);
  for (guint i = 0; i < 1000000; i++)
    g_string_append_c (deep, '[');
  assert_refused (deep->str, PIEPER_JSON_SHAPE_TOO_DEEP);
}

static char *
fixture (const char *name,
         gsize      *length)
{
  g_autofree char *path = g_test_build_filename (G_TEST_DIST, "fixtures", "pagerduty", name, NULL);
  g_autoptr(GError) error = NULL;
  char *data = NULL;

  g_file_get_contents (path, &data, length, &error);
  g_assert_no_error (error);
  return data;
}

/* Every proper prefix of a document is refused, and nothing reads past
 * the length it is given. */
static void
test_truncated (void)
{
  gsize length = 0;
  g_autofree char *data = fixture ("incidents-page.json", &length);
  gsize end = length;

  while (end > 0 && g_ascii_isspace (data[end - 1]))
    end--;

  for (gsize n = 0; n < end; n++)
    {
      g_autofree char *prefix = g_memdup2 (data, n);
      PieperJsonShape problem = PIEPER_JSON_SHAPE_OK;

      g_assert_null (_pieper_json_parse (prefix, n, DEPTH, &problem, NULL));
      g_assert_cmpint (problem, !=, PIEPER_JSON_SHAPE_OK);
    }
}

static void
assert_same_tree (JsonNode              *expected,
                  const PieperJsonValue *value)
{
  switch (JSON_NODE_TYPE (expected))
    {
    case JSON_NODE_NULL:
      g_assert_true (_pieper_json_is (value, PIEPER_JSON_NULL));
      break;
    case JSON_NODE_VALUE:
      if (json_node_get_value_type (expected) == G_TYPE_STRING)
        g_assert_cmpstr (_pieper_json_get_string (value), ==, json_node_get_string (expected));
      else if (json_node_get_value_type (expected) == G_TYPE_INT64)
        {
          g_assert_true (_pieper_json_is (value, PIEPER_JSON_INT));
          g_assert_cmpint (value->v.integer, ==, json_node_get_int (expected));
        }
      else if (json_node_get_value_type (expected) == G_TYPE_DOUBLE)
        {
          g_assert_true (_pieper_json_is (value, PIEPER_JSON_DOUBLE));
          g_assert_cmpfloat (value->v.number, ==, json_node_get_double (expected));
        }
      else
        {
          g_assert_true (_pieper_json_is (value, PIEPER_JSON_BOOLEAN));
          g_assert_cmpint (!!value->v.boolean, ==, !!json_node_get_boolean (expected));
        }
      break;
    case JSON_NODE_ARRAY:
      {
        JsonArray *array = json_node_get_array (expected);

        g_assert_true (_pieper_json_is (value, PIEPER_JSON_ARRAY));
        g_assert_cmpuint (_pieper_json_get_length (value), ==, json_array_get_length (array));
        for (guint i = 0; i < json_array_get_length (array); i++)
          assert_same_tree (json_array_get_element (array, i), _pieper_json_get_element (value, i));
      }
      break;
    case JSON_NODE_OBJECT:
    default:
      {
        JsonObject *object = json_node_get_object (expected);
        g_autoptr(GList) names = json_object_get_members (object);

        g_assert_true (_pieper_json_is (value, PIEPER_JSON_OBJECT));
        g_assert_cmpuint (_pieper_json_get_length (value), ==, json_object_get_size (object));
        for (GList *l = names; l != NULL; l = l->next)
          assert_same_tree (json_object_get_member (object, l->data),
                            _pieper_json_get_member (value, l->data));
      }
      break;
    }
}

/* The same tree as json-glib, for every fixture of both providers that
 * both read, and the same again as a json-glib tree
 * (_pieper_json_value_to_node(), which Alertmanager's mapping and
 * `pieperctl import` read). Only documents our parser takes go to
 * json-glib: it overflows its stack, or leaks, on some of the others. */
static void
test_like_json_glib (void)
{
  const char *providers[] = { "pagerduty", "alertmanager" };
  guint compared = 0;

  for (guint p = 0; p < G_N_ELEMENTS (providers); p++)
    {
      g_autofree char *dir_path = g_test_build_filename (G_TEST_DIST, "fixtures", providers[p], NULL);
      g_autoptr(GDir) dir = g_dir_open (dir_path, 0, NULL);
      const char *name;

      g_assert_nonnull (dir);
      while ((name = g_dir_read_name (dir)) != NULL)
        {
          g_autoptr(JsonParser) parser = json_parser_new ();
          g_autoptr(PieperJsonDoc) doc = NULL;
          g_autoptr(JsonNode) node = NULL;
          g_autofree char *path = NULL;
          g_autofree char *data = NULL;
          gsize length = 0;

          if (!g_str_has_suffix (name, ".json"))
            continue;

          path = g_build_filename (dir_path, name, NULL);
          g_assert_true (g_file_get_contents (path, &data, &length, NULL));
          doc = _pieper_json_parse (data, length, DEPTH, NULL, NULL);
          if (doc == NULL)
            {
              g_test_message ("%s/%s: refused", providers[p], name);
              continue;
            }
          /* json-glib makes \u0000 a NUL, where we make it U+FFFD. */
          if (strstr (data, "\\u0000") != NULL)
            continue;
          g_assert_true (json_parser_load_from_data (parser, data, length, NULL));

          g_test_message ("%s/%s", providers[p], name);
          assert_same_tree (json_parser_get_root (parser), _pieper_json_doc_get_root (doc));
          node = _pieper_json_value_to_node (_pieper_json_doc_get_root (doc));
          g_assert_true (json_node_equal (json_parser_get_root (parser), node));
          compared++;
        }
    }

  g_assert_cmpuint (compared, >=, 20);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/json/parse/values", test_values);
  g_test_add_func ("/json/parse/duplicate-members", test_duplicate_members);
  g_test_add_func ("/json/parse/numbers", test_numbers);
  g_test_add_func ("/json/parse/strings", test_strings);
  g_test_add_func ("/json/parse/one-value", test_one_value);
  g_test_add_func ("/json/parse/depth", test_depth);
  g_test_add_func ("/json/parse/truncated", test_truncated);
  g_test_add_func ("/json/parse/like-json-glib", test_like_json_glib);

  return g_test_run ();
}
