/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <json-glib/json-glib.h>
#include <libsoup/soup.h>

G_BEGIN_DECLS

/* Why a request got no answer; the provider words it. */
typedef enum
{
  /* A write whose headers were written: it may have arrived. */
  PIEPER_HTTP_NO_ANSWER_MAYBE_ARRIVED,
  /* The server's TLS certificate was refused. */
  PIEPER_HTTP_NO_ANSWER_BAD_CERTIFICATE,
  /* Anything else: the server cannot have acted on it. */
  PIEPER_HTTP_NO_ANSWER_UNREACHABLE,
} PieperHttpNoAnswer;

/* What differs between the providers' requests. @provider is the task's
 * source object. */
typedef struct
{
  /* The server's name, in the messages that are not translated. */
  const char *name;
  /* After "NAME answered with a redirect (HTTP 302); ". */
  const char *redirect_hint;
  /* Whether application/…+json counts as JSON, besides application/json. */
  gboolean    json_suffix;
  /* Error bodies are only read for their message, up to this much. */
  gsize       max_error_body;

  /* Every response's headers, before anything else looks at them. */
  void      (*note_headers)        (gpointer            provider,
                                    SoupMessageHeaders *headers);
  /* The (translated) message for a request that got no answer; @detail
   * is the network's own message, cleaned. */
  char     *(*no_answer_text)      (PieperHttpNoAnswer  why,
                                    const char         *detail);
  /* The error for a non-2xx answer. @body is its JSON body, or %NULL. */
  GError   *(*error_from_response) (gpointer            provider,
                                    SoupMessage        *message,
                                    const char         *body,
                                    gsize               length);
  /* Parses a 2xx body into the task's result, freed with @result_free. */
  gpointer  (*parse)               (const char         *data,
                                    gsize               length,
                                    GError            **error);
  GDestroyNotify result_free;
} PieperHttpApi;

/* A header value cannot hold a line break or other control characters. */
gboolean     _pieper_http_is_header_value (const char          *text);

/* A message that does not follow redirects, or %NULL with a PERMANENT
 * error when @uri is not an http(s) URL. */
SoupMessage *_pieper_http_message_new    (const PieperHttpApi *api,
                                          const char          *method,
                                          const char          *uri,
                                          GError             **error);

/* Sends @message, whose headers are set, with @body as JSON when given,
 * and returns on @task the parsed 2xx body (with @raw, the body as
 * #GBytes) or a #PieperProviderError. A 2xx body is read up to
 * @max_body bytes. */
void         _pieper_http_send           (const PieperHttpApi *api,
                                          GTask               *task,
                                          SoupSession         *session,
                                          SoupMessage         *message,
                                          JsonNode            *body,
                                          gsize                max_body,
                                          gboolean             raw);

G_END_DECLS
