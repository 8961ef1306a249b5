/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n.h>

#include "pieper-incident-row.h"
#include "pieper-row-text.h"

struct _PieperIncidentRow
{
  GtkWidget       parent_instance;

  PieperIncident *incident;

  GtkImage       *status_icon;
  PieperRowText  *title_label;
  GtkLabel       *status_label;
  GtkLabel       *urgency_label;
  PieperRowText  *subtitle_label;
  GtkWidget      *pending_icon;
};

G_DEFINE_FINAL_TYPE (PieperIncidentRow, pieper_incident_row, GTK_TYPE_WIDGET)

enum {
  PROP_0,
  PROP_INCIDENT,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

const char *
_pieper_status_label (PieperStatus status)
{
  switch (status)
    {
    case PIEPER_STATUS_TRIGGERED:
      return _("Triggered");
    case PIEPER_STATUS_ACKNOWLEDGED:
      return _("Acknowledged");
    case PIEPER_STATUS_RESOLVED:
      return _("Resolved");
    default:
      return _("Unknown");
    }
}

const char *
_pieper_status_icon (PieperStatus status)
{
  switch (status)
    {
    case PIEPER_STATUS_TRIGGERED:
      return "dialog-warning-symbolic";
    case PIEPER_STATUS_ACKNOWLEDGED:
      return "emblem-default-symbolic";
    case PIEPER_STATUS_RESOLVED:
      return "object-select-symbolic";
    default:
      return "dialog-question-symbolic";
    }
}

const char *
_pieper_status_css_class (PieperStatus status)
{
  switch (status)
    {
    case PIEPER_STATUS_TRIGGERED:
      return "triggered";
    case PIEPER_STATUS_ACKNOWLEDGED:
      return "acknowledged";
    case PIEPER_STATUS_RESOLVED:
      return "resolved";
    default:
      return NULL;
    }
}

const char *
_pieper_urgency_label (PieperUrgency urgency)
{
  switch (urgency)
    {
    case PIEPER_URGENCY_HIGH:
      return _("High urgency");
    case PIEPER_URGENCY_LOW:
      return _("Low urgency");
    default:
      return _("Unknown urgency");
    }
}

void
_pieper_set_badge (GtkWidget  *badge,
                   const char *css_class)
{
  static const char *classes[] = { "triggered", "acknowledged", "resolved", "conflict" };

  for (guint i = 0; i < G_N_ELEMENTS (classes); i++)
    gtk_widget_remove_css_class (badge, classes[i]);
  if (css_class != NULL)
    gtk_widget_add_css_class (badge, css_class);
}

static void
update (PieperIncidentRow *self)
{
  PieperIncident *incident = self->incident;
  g_autofree char *subtitle = NULL;
  PieperStatus status;

  if (incident == NULL)
    return;

  status = pieper_incident_get_status (incident);
  gtk_image_set_from_icon_name (self->status_icon, _pieper_status_icon (status));
  pieper_row_text_set_text (self->title_label, pieper_incident_get_title (incident));
  gtk_label_set_text (self->status_label, _pieper_status_label (status));
  _pieper_set_badge (GTK_WIDGET (self->status_label), _pieper_status_css_class (status));
  gtk_label_set_text (self->urgency_label,
                      pieper_incident_get_urgency (incident) == PIEPER_URGENCY_HIGH ? _("High") : _("Low"));
  /* Said with "High" or "Low"; shown as its tooltip by query_tooltip_cb. */
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->urgency_label), GTK_ACCESSIBLE_PROPERTY_DESCRIPTION,
                                  _pieper_urgency_label (pieper_incident_get_urgency (incident)), -1);

  /* TRANSLATORS: the incident number, then the service. */
  subtitle = g_strdup_printf (_("#%lld · %s"),
                              (long long) pieper_incident_get_number (incident),
                              pieper_incident_get_service (incident) != NULL ?
                              pieper_incident_get_service (incident) : "");
  pieper_row_text_set_text (self->subtitle_label, subtitle);
  gtk_widget_set_visible (self->pending_icon, pieper_incident_get_pending (incident) > 0);
}

/* The tooltips are asked for when shown rather than set on every bind:
 * setting a tooltip on a widget in a window makes GTK ask the display
 * where the pointer is, a round trip to the X server a row. */
static gboolean
query_tooltip_cb (GtkWidget         *widget,
                  int                x,
                  int                y,
                  gboolean           keyboard_mode,
                  GtkTooltip        *tooltip,
                  PieperIncidentRow *self)
{
  if (self->incident == NULL)
    return FALSE;

  if (widget == GTK_WIDGET (self->urgency_label))
    gtk_tooltip_set_text (tooltip, _pieper_urgency_label (pieper_incident_get_urgency (self->incident)));
  else if (widget == self->pending_icon)
    gtk_tooltip_set_text (tooltip, _("Waiting to sync"));
  else
    return FALSE;

  return TRUE;
}

static void
pieper_incident_row_dispose (GObject *object)
{
  PieperIncidentRow *self = PIEPER_INCIDENT_ROW (object);
  GtkWidget *child;

  gtk_widget_dispose_template (GTK_WIDGET (self), PIEPER_TYPE_INCIDENT_ROW);
  /* The template's unnamed top box too. */
  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self))) != NULL)
    gtk_widget_unparent (child);
  g_clear_object (&self->incident);

  G_OBJECT_CLASS (pieper_incident_row_parent_class)->dispose (object);
}

static void
pieper_incident_row_get_property (GObject    *object,
                                  guint       prop_id,
                                  GValue     *value,
                                  GParamSpec *pspec)
{
  PieperIncidentRow *self = PIEPER_INCIDENT_ROW (object);

  switch (prop_id)
    {
    case PROP_INCIDENT:
      g_value_set_object (value, self->incident);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
pieper_incident_row_set_property (GObject      *object,
                                  guint         prop_id,
                                  const GValue *value,
                                  GParamSpec   *pspec)
{
  PieperIncidentRow *self = PIEPER_INCIDENT_ROW (object);

  switch (prop_id)
    {
    case PROP_INCIDENT:
      pieper_incident_row_set_incident (self, g_value_get_object (value));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
pieper_incident_row_class_init (PieperIncidentRowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = pieper_incident_row_dispose;
  object_class->get_property = pieper_incident_row_get_property;
  object_class->set_property = pieper_incident_row_set_property;

  properties[PROP_INCIDENT] =
    g_param_spec_object ("incident", NULL, NULL, PIEPER_TYPE_INCIDENT,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  g_type_ensure (PIEPER_TYPE_ROW_TEXT);
  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/pieper/Pieper/ui/pieper-incident-row.ui");
  gtk_widget_class_bind_template_child (widget_class, PieperIncidentRow, status_icon);
  gtk_widget_class_bind_template_child (widget_class, PieperIncidentRow, title_label);
  gtk_widget_class_bind_template_child (widget_class, PieperIncidentRow, status_label);
  gtk_widget_class_bind_template_child (widget_class, PieperIncidentRow, urgency_label);
  gtk_widget_class_bind_template_child (widget_class, PieperIncidentRow, subtitle_label);
  gtk_widget_class_bind_template_child (widget_class, PieperIncidentRow, pending_icon);
  gtk_widget_class_bind_template_callback (widget_class, query_tooltip_cb);
  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
}

static void
pieper_incident_row_init (PieperIncidentRow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}

GtkWidget *
pieper_incident_row_new (void)
{
  return g_object_new (PIEPER_TYPE_INCIDENT_ROW, NULL);
}

PieperIncident *
pieper_incident_row_get_incident (PieperIncidentRow *self)
{
  g_return_val_if_fail (PIEPER_IS_INCIDENT_ROW (self), NULL);

  return self->incident;
}

void
pieper_incident_row_set_incident (PieperIncidentRow *self,
                                  PieperIncident    *incident)
{
  g_return_if_fail (PIEPER_IS_INCIDENT_ROW (self));
  g_return_if_fail (incident == NULL || PIEPER_IS_INCIDENT (incident));

  if (g_set_object (&self->incident, incident))
    {
      update (self);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_INCIDENT]);
    }
}
