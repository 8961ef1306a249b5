/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <libsoup/soup.h>

#include "pieper-sim.h"

G_BEGIN_DECLS

#define SIM_NO_USER        G_MAXUINT16
#define SIM_MAX_ASSIGNEES  4
#define SIM_MAX_LIMIT      100
#define SIM_DEFAULT_LIMIT  25
#define SIM_MAX_WINDOW     10000
#define SIM_RECORD_BODY_MAX (64 * 1024)
#define SIM_DEFAULT_WINDOW  ((gint64) 30 * 24 * 3600)   /* GET /incidents without since */
#define SIM_MAX_RANGE       ((gint64) 183 * 24 * 3600)  /* six months */

typedef enum {
  SIM_STATUS_TRIGGERED,
  SIM_STATUS_ACKNOWLEDGED,
  SIM_STATUS_RESOLVED,
} SimStatus;

typedef enum {
  SIM_URGENCY_HIGH,
  SIM_URGENCY_LOW,
} SimUrgency;

typedef enum {
  SIM_LOG_TRIGGER,
  SIM_LOG_ACKNOWLEDGE,
  SIM_LOG_RESOLVE,
  SIM_LOG_ESCALATE,
  SIM_LOG_ASSIGN,
  SIM_LOG_ANNOTATE,
  SIM_LOG_SNOOZE,
  SIM_LOG_UNACKNOWLEDGE,
} SimLogType;

typedef enum {
  SIM_CHANNEL_API,
  SIM_CHANNEL_WEB,
  SIM_CHANNEL_AUTO,
  SIM_CHANNEL_EVENTS,
} SimChannel;

typedef enum {
  SIM_FAULT_NONE,
  SIM_FAULT_500,
  SIM_FAULT_429,
  SIM_FAULT_401,
  SIM_FAULT_RESET,
  SIM_FAULT_RESET_AFTER,
  SIM_FAULT_STALL,
  SIM_FAULT_TRUNCATED,
  SIM_FAULT_CONTENT_TYPE,
  SIM_FAULT_HUGE,
  SIM_N_FAULTS,
} SimFault;

typedef struct {
  char *id;
  char *name;
  char *email;
} SimUser;

typedef struct {
  const char *id;
  const char *name;
  guint       n_levels;
  guint16     level_user[3];
} SimPolicy;

typedef struct {
  const char *id;
  const char *name;
  guint       policy;
  guint       kind;
} SimService;

typedef struct {
  char    id[8];
  guint16 user;
  gint64  created_at;
  char   *content;
} SimNote;

/* Kept small on purpose: the sim holds 10,000 of these and builds the JSON
 * of an incident only when a request asks for it. */
typedef struct {
  char       id[8];
  guint      number;
  guint      index;
  guint32    trigger_seq;    /* the first trigger_log_entry */
  guint8     status;
  guint8     urgency;
  guint8     priority;       /* 0: none, 1..5: P1..P5 */
  guint8     service;
  guint8     level;          /* 1..n_levels of the service's policy */
  guint8     n_assignees;
  guint8     has_bridge;
  guint16    assignees[SIM_MAX_ASSIGNEES];
  guint16    acknowledger;
  guint16    status_by;      /* SIM_NO_USER: the service (an integration) */
  gint64     created_at;
  gint64     updated_at;
  gint64     status_changed_at;
  gint64     assigned_at;
  gint64     acknowledged_at;
  gint64     snoozed_until;
  gint64     resolved_at;
  char      *title;
  char      *incident_key;
  GPtrArray *notes;          /* SimNote, NULL while there are none */
} SimIncident;

typedef struct {
  guint32 seq;
  guint32 incident;
  gint64  at;
  guint8  type;
  guint8  channel;
  guint8  level;
  guint8  n_assignees;
  guint16 agent;             /* SIM_NO_USER: the service */
  guint16 assignees[SIM_MAX_ASSIGNEES];
  guint32 detail;            /* annotate: note index; snooze: seconds */
} SimLogEntry;

typedef struct {
  char     *method;
  char     *path;
  char     *incident_id;
  JsonNode *body;
  char     *body_text;
  char     *from;
  char     *accept;
  guint     status;
  gint64    time_us;
  gboolean  applied;
  SimFault  fault;
} SimWrite;

/* One request as the handlers see it. Handlers read the request fields and
 * fill in the response fields; pieper-sim.c delivers the response. */
typedef struct {
  PieperSim         *sim;
  SoupServerMessage *msg;
  char              *method;
  char              *path;
  GPtrArray         *query;      /* SimQueryParam */
  GBytes            *body_bytes;
  JsonNode          *body;       /* NULL unless the body is valid JSON */
  char              *from;
  char              *accept;
  gboolean           is_write;
  gboolean           is_admin;
  gboolean           is_events;
  SimFault           fault;

  guint              status;
  char              *response;   /* JSON text */
  gsize              response_len;
  char              *incident_id;
  gboolean           applied;
} SimRequest;

typedef struct {
  char *key;
  char *value;
} SimQueryParam;

struct _PieperSim
{
  GObject       parent_instance;

  GMutex        lock;

  /* Configuration. */
  char         *token;
  char         *routing_key;
  double        stall_seconds;
  gsize         huge_size;
  double        fault_rates[SIM_N_FAULTS];
  GRand        *fault_rand;
  GRand        *data_rand;

  /* Data. */
  GPtrArray    *users;       /* SimUser; index 0 is "me" */
  GPtrArray    *incidents;   /* SimIncident, by index; number = index + 1 */
  GHashTable   *by_id;       /* id -> SimIncident */
  GHashTable   *by_key;      /* incident_key -> newest SimIncident */
  GArray       *log;         /* SimLogEntry, in order of creation */
  guint         n_notes;

  /* The record. */
  GPtrArray    *writes;      /* SimWrite */
  guint         n_requests;
  GHashTable   *tally;       /* "METHOD /path" -> requests (GUINT_TO_POINTER) */
  guint         n_connections; /* that carried API requests */
  gint64        rate_window;  /* the minute the rate-limit headers count */
  guint         rate_count;

  /* Server. */
  SoupServer   *server;
  GMainContext *context;
  guint         port;
  char         *base_url;
  GThread      *thread;
  GMainLoop    *thread_loop;
  GPtrArray    *pending;     /* SimPending: stalled or resetting requests */
  GBytes       *huge_filler;
};

/* pieper-sim-data.c */
extern const SimService _pieper_sim_services[];
extern const guint      _pieper_sim_n_services;
extern const SimPolicy  _pieper_sim_policies[];
extern const guint      _pieper_sim_n_policies;

void         _pieper_sim_data_init            (PieperSim    *self);
void         _pieper_sim_data_clear           (PieperSim    *self);
void         _pieper_sim_generate             (PieperSim    *self,
                                               guint         n,
                                               gint64        now);
SimIncident *_pieper_sim_create_incident      (PieperSim    *self,
                                               const char   *title,
                                               guint         service,
                                               SimUrgency    urgency,
                                               const char   *incident_key,
                                               gint64        now);
SimIncident *_pieper_sim_lookup               (PieperSim    *self,
                                               const char   *id);
SimIncident *_pieper_sim_lookup_open_key      (PieperSim    *self,
                                               const char   *incident_key);
void         _pieper_sim_expire_snooze        (PieperSim    *self,
                                               SimIncident  *incident,
                                               gint64        now);
SimLogEntry *_pieper_sim_append_log           (PieperSim    *self,
                                               SimIncident  *incident,
                                               SimLogType    type,
                                               guint16       agent,
                                               SimChannel    channel,
                                               gint64        at);
void         _pieper_sim_set_status           (PieperSim    *self,
                                               SimIncident  *incident,
                                               SimStatus     status,
                                               guint16       agent,
                                               SimChannel    channel,
                                               gint64        now);
void         _pieper_sim_assign               (PieperSim    *self,
                                               SimIncident  *incident,
                                               const guint16 *users,
                                               guint         n_users,
                                               SimLogType    type,
                                               guint16       agent,
                                               SimChannel    channel,
                                               gint64        now);
SimNote     *_pieper_sim_add_note             (PieperSim    *self,
                                               SimIncident  *incident,
                                               guint16       user,
                                               const char   *content,
                                               SimChannel    channel,
                                               gint64        now);
guint16      _pieper_sim_find_user_by_email   (PieperSim    *self,
                                               const char   *email);
guint16      _pieper_sim_find_user_by_id      (PieperSim    *self,
                                               const char   *id);
int          _pieper_sim_find_service         (const char   *name_or_id);
void         _pieper_sim_format_time          (gint64        unix_seconds,
                                               char          buf[32]);
void         _pieper_sim_log_entry_id         (const SimLogEntry *entry,
                                               char          buf[16]);
const char  *_pieper_sim_status_to_string     (SimStatus     status);
gboolean     _pieper_sim_status_from_string   (const char   *str,
                                               SimStatus    *status);
void         _pieper_sim_note_free            (gpointer      data);
void         _pieper_sim_incident_free        (gpointer      data);

/* pieper-sim-json.c */
void         _pieper_sim_build_incident       (PieperSim    *self,
                                               JsonBuilder  *builder,
                                               SimIncident  *incident,
                                               gboolean      with_bridge);
void         _pieper_sim_build_note           (PieperSim    *self,
                                               JsonBuilder  *builder,
                                               SimNote      *note);
void         _pieper_sim_build_log_entry      (PieperSim    *self,
                                               JsonBuilder  *builder,
                                               const SimLogEntry *entry);
void         _pieper_sim_build_user           (PieperSim    *self,
                                               JsonBuilder  *builder,
                                               guint16       user);
void         _pieper_sim_build_user_reference (PieperSim    *self,
                                               JsonBuilder  *builder,
                                               guint16       user);
char        *_pieper_sim_error_json           (guint         code,
                                               const char   *message,
                                               const char  **errors,
                                               gsize        *len);
char        *_pieper_sim_builder_to_string    (JsonBuilder  *builder,
                                               gsize        *len);

/* pieper-sim-rest.c */
void         _pieper_sim_handle_rest          (SimRequest   *req);
void         _pieper_sim_handle_events        (SimRequest   *req);
void         _pieper_sim_respond_error        (SimRequest   *req,
                                               guint         status,
                                               guint         code,
                                               const char   *message,
                                               const char   *detail);
void         _pieper_sim_respond_builder      (SimRequest   *req,
                                               guint         status,
                                               JsonBuilder  *builder);
const char  *_pieper_sim_query_get            (SimRequest   *req,
                                               const char   *key);

/* pieper-sim-faults.c */
SimFault     _pieper_sim_fault_from_string    (const char   *kind);
const char  *_pieper_sim_fault_to_string      (SimFault      fault);
SimFault     _pieper_sim_pick_fault           (PieperSim    *self);
void         _pieper_sim_deliver_fault        (SimRequest   *req);
void         _pieper_sim_reset_connection     (PieperSim    *self,
                                               SoupServerMessage *msg);
void         _pieper_sim_stall                (SimRequest   *req);
void         _pieper_sim_cancel_pending       (PieperSim    *self);
GPtrArray   *_pieper_sim_pending_new          (void);

/* pieper-sim.c */
void         _pieper_sim_deliver              (SimRequest   *req);
void         _pieper_sim_record               (SimRequest   *req,
                                               guint         status);
void         _pieper_sim_request_free         (SimRequest   *req);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (SimRequest, _pieper_sim_request_free)

G_END_DECLS
