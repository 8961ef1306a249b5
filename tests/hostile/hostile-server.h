/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <libsoup/soup.h>

G_BEGIN_DECLS

/*
 * A hostile incident server for tests: a SoupServer on 127.0.0.1 in the
 * test's own main context that answers each request with a canned reply,
 * chosen by method, path and (for paginated lists) the offset. What is not
 * set up gets a 404. Every request is recorded, so a test can say what
 * Pieper asked for.
 */
#define HOSTILE_TYPE_SERVER (hostile_server_get_type ())
G_DECLARE_FINAL_TYPE (HostileServer, hostile_server, HOSTILE, SERVER, GObject)

HostileServer *hostile_server_new          (void);
const char    *hostile_server_get_url      (HostileServer *self);

/* @offset: the "offset" query parameter that selects this reply, or 0 for
 * a request without one. The reply is sent with a Content-Length unless
 * @chunked; @content_type NULL means application/json. */
void           hostile_server_reply        (HostileServer *self,
                                            const char    *method,
                                            const char    *path,
                                            guint          offset,
                                            guint          status,
                                            GBytes        *body,
                                            gboolean       chunked);
void           hostile_server_reply_json   (HostileServer *self,
                                            const char    *method,
                                            const char    *path,
                                            guint          offset,
                                            const char    *json);
/* How many requests "METHOD PATH" (without the query) the server saw. */
guint          hostile_server_count        (HostileServer *self,
                                            const char    *method,
                                            const char    *path);

G_END_DECLS
