/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "Pieper"

#include "config.h"

#include "pieper-incident.h"

struct _PieperIncident
{
  GObject       parent_instance;

  gint64        id;
  gint64        account_id;
  char         *remote_id;
  gint64        number;
  char         *title;
  PieperStatus  status;
  PieperUrgency urgency;
  char         *priority;
  char         *service;
  char         *escalation_policy;
  int           escalation_level;
  GStrv         assignees;
  GStrv         assignee_ids;
  char         *html_url;
  gint64        created_at;
  gint64        updated_at;
  gint64        last_status_change_at;
  char         *chat_url;
  char         *video_url;
  char         *status_page_url;
  char         *postmortem_url;
  guint         pending;
  gint64        snoozed_until;
};

G_DEFINE_FINAL_TYPE (PieperIncident, pieper_incident, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_TITLE,
  PROP_STATUS,
  PROP_URGENCY,
  PROP_PENDING,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
pieper_incident_finalize (GObject *object)
{
  PieperIncident *self = (PieperIncident *) object;

  g_free (self->remote_id);
  g_free (self->title);
  g_free (self->priority);
  g_free (self->service);
  g_free (self->escalation_policy);
  g_strfreev (self->assignees);
  g_strfreev (self->assignee_ids);
  g_free (self->html_url);
  g_free (self->chat_url);
  g_free (self->video_url);
  g_free (self->status_page_url);
  g_free (self->postmortem_url);

  G_OBJECT_CLASS (pieper_incident_parent_class)->finalize (object);
}

static void
pieper_incident_get_property (GObject    *object,
                              guint       prop_id,
                              GValue     *value,
                              GParamSpec *pspec)
{
  PieperIncident *self = PIEPER_INCIDENT (object);

  switch (prop_id)
    {
    case PROP_TITLE:
      g_value_set_string (value, self->title);
      break;

    case PROP_STATUS:
      g_value_set_int (value, self->status);
      break;

    case PROP_URGENCY:
      g_value_set_int (value, self->urgency);
      break;

    case PROP_PENDING:
      g_value_set_uint (value, self->pending);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
pieper_incident_class_init (PieperIncidentClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = pieper_incident_finalize;
  object_class->get_property = pieper_incident_get_property;

  properties[PROP_TITLE] =
    g_param_spec_string ("title", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_STATUS] =
    g_param_spec_int ("status", NULL, NULL,
                      PIEPER_STATUS_TRIGGERED, PIEPER_STATUS_RESOLVED,
                      PIEPER_STATUS_TRIGGERED,
                      G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_URGENCY] =
    g_param_spec_int ("urgency", NULL, NULL,
                      PIEPER_URGENCY_HIGH, PIEPER_URGENCY_LOW,
                      PIEPER_URGENCY_HIGH,
                      G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_PENDING] =
    g_param_spec_uint ("pending", NULL, NULL, 0, G_MAXUINT, 0,
                       G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
pieper_incident_init (PieperIncident *self)
{
  self->escalation_level = 1;
  self->status = PIEPER_STATUS_TRIGGERED;
  self->urgency = PIEPER_URGENCY_HIGH;
}

PieperIncident *
pieper_incident_new (const char *remote_id)
{
  PieperIncident *self;

  g_return_val_if_fail (remote_id != NULL, NULL);

  self = g_object_new (PIEPER_TYPE_INCIDENT, NULL);
  self->remote_id = g_strdup (remote_id);

  return self;
}

static void
set_string (char       **field,
            const char  *value)
{
  if (value != NULL && *value == '\0')
    value = NULL;
  g_free (*field);
  *field = g_strdup (value);
}

static void
set_strv (GStrv              *field,
          const char * const *value)
{
  g_strfreev (*field);
  *field = (value != NULL && value[0] != NULL) ? g_strdupv ((GStrv) value) : NULL;
}

#define SCALAR_ACCESSORS(type, name)                                       \
  type                                                                     \
  pieper_incident_get_##name (PieperIncident *self)                        \
  {                                                                        \
    g_return_val_if_fail (PIEPER_IS_INCIDENT (self), (type) 0);            \
    return self->name;                                                     \
  }                                                                        \
                                                                           \
  void                                                                     \
  pieper_incident_set_##name (PieperIncident *self,                        \
                              type            name)                        \
  {                                                                        \
    g_return_if_fail (PIEPER_IS_INCIDENT (self));                          \
    self->name = name;                                                     \
  }

#define STRING_ACCESSORS(name)                                             \
  const char *                                                             \
  pieper_incident_get_##name (PieperIncident *self)                        \
  {                                                                        \
    g_return_val_if_fail (PIEPER_IS_INCIDENT (self), NULL);                \
    return self->name;                                                     \
  }                                                                        \
                                                                           \
  void                                                                     \
  pieper_incident_set_##name (PieperIncident *self,                        \
                              const char     *name)                        \
  {                                                                        \
    g_return_if_fail (PIEPER_IS_INCIDENT (self));                          \
    set_string (&self->name, name);                                        \
  }

#define STRV_ACCESSORS(name)                                               \
  const char * const *                                                     \
  pieper_incident_get_##name (PieperIncident *self)                        \
  {                                                                        \
    g_return_val_if_fail (PIEPER_IS_INCIDENT (self), NULL);                \
    return (const char * const *) self->name;                              \
  }                                                                        \
                                                                           \
  void                                                                     \
  pieper_incident_set_##name (PieperIncident     *self,                    \
                              const char * const *name)                    \
  {                                                                        \
    g_return_if_fail (PIEPER_IS_INCIDENT (self));                          \
    set_strv (&self->name, name);                                          \
  }

SCALAR_ACCESSORS (gint64, id)
SCALAR_ACCESSORS (gint64, account_id)
SCALAR_ACCESSORS (gint64, number)
SCALAR_ACCESSORS (int, escalation_level)
SCALAR_ACCESSORS (gint64, created_at)
SCALAR_ACCESSORS (gint64, updated_at)
SCALAR_ACCESSORS (gint64, last_status_change_at)
SCALAR_ACCESSORS (gint64, snoozed_until)
STRING_ACCESSORS (priority)
STRING_ACCESSORS (service)
STRING_ACCESSORS (html_url)
STRING_ACCESSORS (chat_url)
STRING_ACCESSORS (video_url)
STRING_ACCESSORS (status_page_url)
STRING_ACCESSORS (postmortem_url)
STRV_ACCESSORS (assignees)
STRV_ACCESSORS (assignee_ids)

const char *
pieper_incident_get_escalation_policy (PieperIncident *self)
{
  g_return_val_if_fail (PIEPER_IS_INCIDENT (self), NULL);
  return self->escalation_policy;
}

void
pieper_incident_set_escalation_policy (PieperIncident *self,
                                       const char     *policy)
{
  g_return_if_fail (PIEPER_IS_INCIDENT (self));
  set_string (&self->escalation_policy, policy);
}

const char *
pieper_incident_get_remote_id (PieperIncident *self)
{
  g_return_val_if_fail (PIEPER_IS_INCIDENT (self), NULL);
  return self->remote_id;
}

const char *
pieper_incident_get_title (PieperIncident *self)
{
  g_return_val_if_fail (PIEPER_IS_INCIDENT (self), NULL);
  return self->title != NULL ? self->title : "";
}

void
pieper_incident_set_title (PieperIncident *self,
                           const char     *title)
{
  g_return_if_fail (PIEPER_IS_INCIDENT (self));

  if (g_strcmp0 (self->title, title) == 0)
    return;

  g_free (self->title);
  self->title = g_strdup (title);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_TITLE]);
}

PieperStatus
pieper_incident_get_status (PieperIncident *self)
{
  g_return_val_if_fail (PIEPER_IS_INCIDENT (self), PIEPER_STATUS_TRIGGERED);
  return self->status;
}

void
pieper_incident_set_status (PieperIncident *self,
                            PieperStatus    status)
{
  g_return_if_fail (PIEPER_IS_INCIDENT (self));

  if (self->status == status)
    return;

  self->status = status;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATUS]);
}

PieperUrgency
pieper_incident_get_urgency (PieperIncident *self)
{
  g_return_val_if_fail (PIEPER_IS_INCIDENT (self), PIEPER_URGENCY_HIGH);
  return self->urgency;
}

void
pieper_incident_set_urgency (PieperIncident *self,
                             PieperUrgency   urgency)
{
  g_return_if_fail (PIEPER_IS_INCIDENT (self));

  if (self->urgency == urgency)
    return;

  self->urgency = urgency;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_URGENCY]);
}

guint
pieper_incident_get_pending (PieperIncident *self)
{
  g_return_val_if_fail (PIEPER_IS_INCIDENT (self), 0);
  return self->pending;
}

void
pieper_incident_set_pending (PieperIncident *self,
                             guint           pending)
{
  g_return_if_fail (PIEPER_IS_INCIDENT (self));

  if (self->pending == pending)
    return;

  self->pending = pending;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PENDING]);
}
