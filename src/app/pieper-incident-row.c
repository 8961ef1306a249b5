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

/* Layout, as three boxes would make it, without their widgets (a list
 * view of GTK 4.8 makes up to 200 rows before its first frame, and each
 * widget is an accessible object and a CSS node more):
 *
 *   [status icon] 12 [title                       ] 12 [pending icon]
 *                    [status] 6 [urgency] 6 [subtitle]
 *
 * The icons are centred; the title is above the badge line, 3 px apart;
 * the subtitle takes what the badges leave. */

#define ICON_SPACING  12
#define LINE_SPACING  3
#define BADGE_SPACING 6

static void
measure_child (GtkWidget      *child,
               GtkOrientation  orientation,
               int             for_size,
               int            *minimum,
               int            *natural)
{
  *minimum = *natural = 0;
  if (gtk_widget_should_layout (child))
    gtk_widget_measure (child, orientation, for_size, minimum, natural, NULL, NULL);
}

/* The width the title and badge line get out of a row @width wide. */
static int
text_width (PieperIncidentRow *self,
            int                width)
{
  int min, nat;

  measure_child (GTK_WIDGET (self->status_icon), GTK_ORIENTATION_HORIZONTAL, -1, &min, &nat);
  width -= min + ICON_SPACING;
  if (gtk_widget_should_layout (self->pending_icon))
    {
      measure_child (self->pending_icon, GTK_ORIENTATION_HORIZONTAL, -1, &min, &nat);
      width -= min + ICON_SPACING;
    }
  return MAX (width, 0);
}

/* The badges' widths, and the height of their line with the subtitle
 * taking the rest of @width (for no width in particular if -1). */
static int
badge_line (PieperIncidentRow *self,
            int                width,
            int               *status_width,
            int               *urgency_width)
{
  int min, nat, height = 0;

  measure_child (GTK_WIDGET (self->status_label), GTK_ORIENTATION_HORIZONTAL, -1, status_width, &nat);
  measure_child (GTK_WIDGET (self->urgency_label), GTK_ORIENTATION_HORIZONTAL, -1, urgency_width, &nat);

  measure_child (GTK_WIDGET (self->status_label), GTK_ORIENTATION_VERTICAL, *status_width, &min, &nat);
  height = MAX (height, min);
  measure_child (GTK_WIDGET (self->urgency_label), GTK_ORIENTATION_VERTICAL, *urgency_width, &min, &nat);
  height = MAX (height, min);
  measure_child (GTK_WIDGET (self->subtitle_label), GTK_ORIENTATION_VERTICAL,
                 width < 0 ? -1 : MAX (width - *status_width - *urgency_width - 2 * BADGE_SPACING, 0),
                 &min, &nat);
  return MAX (height, min);
}

static GtkSizeRequestMode
pieper_incident_row_get_request_mode (GtkWidget *widget)
{
  return GTK_SIZE_REQUEST_HEIGHT_FOR_WIDTH;
}

/* As wide as the badges, the icons and the spaces between them: the title
 * and subtitle ask for no width of their own. */
static void
measure_across (PieperIncidentRow *self,
                int               *minimum,
                int               *natural)
{
  GtkOrientation orientation = GTK_ORIENTATION_HORIZONTAL;
  int min, nat;

  measure_child (GTK_WIDGET (self->status_label), orientation, -1, &min, &nat);
  *minimum = min + BADGE_SPACING;
  *natural = nat + BADGE_SPACING;
  measure_child (GTK_WIDGET (self->urgency_label), orientation, -1, &min, &nat);
  *minimum += min + BADGE_SPACING;
  *natural += nat + BADGE_SPACING;

  measure_child (GTK_WIDGET (self->status_icon), orientation, -1, &min, &nat);
  *minimum += min + ICON_SPACING;
  *natural += nat + ICON_SPACING;
  if (gtk_widget_should_layout (self->pending_icon))
    {
      measure_child (self->pending_icon, orientation, -1, &min, &nat);
      *minimum += min + ICON_SPACING;
      *natural += nat + ICON_SPACING;
    }
}

static void
pieper_incident_row_measure (GtkWidget      *widget,
                             GtkOrientation  orientation,
                             int             for_size,
                             int            *minimum,
                             int            *natural,
                             int            *minimum_baseline,
                             int            *natural_baseline)
{
  PieperIncidentRow *self = PIEPER_INCIDENT_ROW (widget);
  int min, nat, width, height, status_width, urgency_width;

  if (orientation == GTK_ORIENTATION_HORIZONTAL)
    {
      measure_across (self, minimum, natural);
      return;
    }

  /* At its least width or below, as tall as the row can be, without
   * laying its texts out. GTK 4.8's scrolled window measures the list
   * for no width in particular, to guess whether it needs its vertical
   * scrollbar (its allocation corrects the guess), and the grid view asks
   * each row that at its narrowest column: the largest least width of
   * the rows it holds. Answered for real, the rows with the widest badges
   * shaped their texts at that width and again at the width they get, at
   * every row bound (tests/bench/RESULTS.md); rows with narrower badges
   * still do. A row is given its least width only where the badges alone
   * need all of the list pane (very large text in the narrowest window);
   * its title then has room for all its lines, needed or not. */
  measure_across (self, &min, &nat);
  width = for_size <= min ? -1 : text_width (self, for_size);

  measure_child (GTK_WIDGET (self->title_label), orientation, width, &min, &nat);
  height = min + LINE_SPACING + badge_line (self, width, &status_width, &urgency_width);

  measure_child (GTK_WIDGET (self->status_icon), orientation, -1, &min, &nat);
  height = MAX (height, min);
  measure_child (self->pending_icon, orientation, -1, &min, &nat);
  height = MAX (height, min);

  *minimum = *natural = height;
}

/* Places @child at @x (mirrored in a right-to-left row), @y. */
static void
place (GtkWidget *row,
       GtkWidget *child,
       int        x,
       int        y,
       int        width,
       int        height)
{
  if (!gtk_widget_should_layout (child))
    return;

  if (gtk_widget_get_direction (row) == GTK_TEXT_DIR_RTL)
    x = gtk_widget_get_width (row) - x - width;
  gtk_widget_size_allocate (child, &(GtkAllocation) { x, y, width, height }, -1);
}

static void
pieper_incident_row_size_allocate (GtkWidget *widget,
                                   int        width,
                                   int        height,
                                   int        baseline)
{
  PieperIncidentRow *self = PIEPER_INCIDENT_ROW (widget);
  int icon_width, icon_height, nat, text_x, text, title_height, line_y, line_height;
  int status_width, urgency_width, x;

  measure_child (GTK_WIDGET (self->status_icon), GTK_ORIENTATION_HORIZONTAL, -1, &icon_width, &nat);
  measure_child (GTK_WIDGET (self->status_icon), GTK_ORIENTATION_VERTICAL, -1, &icon_height, &nat);
  place (widget, GTK_WIDGET (self->status_icon), 0, (height - icon_height) / 2, icon_width, icon_height);

  text_x = icon_width + ICON_SPACING;
  text = text_width (self, width);
  measure_child (GTK_WIDGET (self->title_label), GTK_ORIENTATION_VERTICAL, text, &title_height, &nat);
  line_height = badge_line (self, text, &status_width, &urgency_width);

  /* The title and the badge line, centred together in a taller row. */
  {
    int top = MAX ((height - title_height - LINE_SPACING - line_height) / 2, 0);

    place (widget, GTK_WIDGET (self->title_label), text_x, top, text, title_height);
    line_y = top + title_height + LINE_SPACING;
  }

  x = text_x;
  place (widget, GTK_WIDGET (self->status_label), x, line_y, status_width, line_height);
  x += status_width + BADGE_SPACING;
  place (widget, GTK_WIDGET (self->urgency_label), x, line_y, urgency_width, line_height);
  x += urgency_width + BADGE_SPACING;
  place (widget, GTK_WIDGET (self->subtitle_label), x, line_y, MAX (text_x + text - x, 0), line_height);

  if (gtk_widget_should_layout (self->pending_icon))
    {
      int pending_width, pending_height;

      measure_child (self->pending_icon, GTK_ORIENTATION_HORIZONTAL, -1, &pending_width, &nat);
      measure_child (self->pending_icon, GTK_ORIENTATION_VERTICAL, -1, &pending_height, &nat);
      place (widget, self->pending_icon, width - pending_width, (height - pending_height) / 2,
             pending_width, pending_height);
    }
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
  widget_class->get_request_mode = pieper_incident_row_get_request_mode;
  widget_class->measure = pieper_incident_row_measure;
  widget_class->size_allocate = pieper_incident_row_size_allocate;
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
