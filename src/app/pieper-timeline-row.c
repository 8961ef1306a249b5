/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n.h>

#include "pieper-incident-row.h"
#include "pieper-timeline-row.h"

/* One note or event of an incident's timeline; a local one also says
 * whether it reached the server, and a conflict says so in words. */

struct _PieperTimelineRow
{
  GtkListBoxRow        parent_instance;

  PieperTimelineEntry *entry;

  GtkImage            *kind_icon;
  GtkLabel            *heading_label;
  GtkLabel            *body_label;
  GtkLabel            *state_label;
};

G_DEFINE_FINAL_TYPE (PieperTimelineRow, pieper_timeline_row, GTK_TYPE_LIST_BOX_ROW)

static const char *
kind_icon (PieperTimelineKind kind)
{
  switch (kind)
    {
    case PIEPER_TIMELINE_NOTE:
      return "document-edit-symbolic";
    case PIEPER_TIMELINE_TRIGGER:
      return "dialog-warning-symbolic";
    case PIEPER_TIMELINE_ACKNOWLEDGE:
      return "emblem-default-symbolic";
    case PIEPER_TIMELINE_ESCALATE:
      return "go-up-symbolic";
    case PIEPER_TIMELINE_REASSIGN:
      return "system-users-symbolic";
    case PIEPER_TIMELINE_SNOOZE:
      return "alarm-symbolic";
    case PIEPER_TIMELINE_RESOLVE:
      return "object-select-symbolic";
    case PIEPER_TIMELINE_CONFLICT:
      return "dialog-error-symbolic";
    case PIEPER_TIMELINE_OTHER:
    default:
      return "view-list-symbolic";
    }
}

static const char *
kind_label (PieperTimelineKind kind)
{
  switch (kind)
    {
    case PIEPER_TIMELINE_NOTE:
      return _("Note");
    case PIEPER_TIMELINE_TRIGGER:
      return _("Triggered");
    case PIEPER_TIMELINE_ACKNOWLEDGE:
      return _("Acknowledged");
    case PIEPER_TIMELINE_ESCALATE:
      return _("Escalated");
    case PIEPER_TIMELINE_REASSIGN:
      return _("Reassigned");
    case PIEPER_TIMELINE_SNOOZE:
      return _("Snoozed");
    case PIEPER_TIMELINE_RESOLVE:
      return _("Resolved");
    case PIEPER_TIMELINE_CONFLICT:
      return _("Conflict");
    case PIEPER_TIMELINE_OTHER:
    default:
      return _("Event");
    }
}

static void
update (PieperTimelineRow *self)
{
  PieperTimelineEntry *entry = self->entry;
  PieperTimelineKind kind = pieper_timeline_entry_get_kind (entry);
  g_autoptr(GDateTime) at = NULL;
  g_autofree char *when = NULL;
  g_autofree char *heading = NULL;
  const char *author = pieper_timeline_entry_get_author (entry);
  const char *state = NULL;
  const char *css_class = NULL;

  gtk_image_set_from_icon_name (self->kind_icon, kind_icon (kind));

  /* 0 is an unknown time (the store's rule for a server time it does not
   * believe): no date rather than 1970. */
  if (pieper_timeline_entry_get_at (entry) > 0)
    at = g_date_time_new_from_unix_local (pieper_timeline_entry_get_at (entry));
  when = at != NULL ? g_date_time_format (at, "%x %X") : g_strdup ("");
  if (author != NULL && *author != '\0' && *when != '\0')
    /* TRANSLATORS: kind of entry, author, date and time: "Note · Mira Jansen · 01/02/25 03:12:00". */
    heading = g_strdup_printf (_("%s · %s · %s"), kind_label (kind), author, when);
  else if (*when != '\0' || (author != NULL && *author != '\0'))
    heading = g_strdup_printf (_("%s · %s"), kind_label (kind), *when != '\0' ? when : author);
  else
    heading = g_strdup (kind_label (kind));
  gtk_label_set_text (self->heading_label, heading);
  gtk_label_set_text (self->body_label, pieper_timeline_entry_get_body (entry));
  gtk_widget_set_visible (GTK_WIDGET (self->body_label),
                          pieper_timeline_entry_get_body (entry) != NULL &&
                          *pieper_timeline_entry_get_body (entry) != '\0');

  if (kind == PIEPER_TIMELINE_CONFLICT)
    {
      state = _("Conflict: the server had changed; your action was not sent");
      css_class = "conflict";
    }
  else if (pieper_timeline_entry_get_origin (entry) == PIEPER_ORIGIN_LOCAL)
    {
      switch (pieper_timeline_entry_get_sync_state (entry))
        {
        case PIEPER_ACTION_PENDING:
        case PIEPER_ACTION_INFLIGHT:
          state = _("Waiting to sync");
          break;
        case PIEPER_ACTION_CONFLICT:
          state = _("Conflict: the server had changed; your action was not sent");
          css_class = "conflict";
          break;
        case PIEPER_ACTION_FAILED:
          state = _("Not sent: the server refused it");
          css_class = "conflict";
          break;
        case PIEPER_ACTION_DONE:
        default:
          break;
        }
    }

  gtk_widget_set_visible (GTK_WIDGET (self->state_label), state != NULL);
  gtk_label_set_text (self->state_label, state != NULL ? state : "");
  _pieper_set_badge (GTK_WIDGET (self->state_label), css_class);
}

static void
pieper_timeline_row_dispose (GObject *object)
{
  PieperTimelineRow *self = PIEPER_TIMELINE_ROW (object);

  g_clear_object (&self->entry);

  G_OBJECT_CLASS (pieper_timeline_row_parent_class)->dispose (object);
}

static void
pieper_timeline_row_class_init (PieperTimelineRowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = pieper_timeline_row_dispose;

  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/pieper/Pieper/ui/pieper-timeline-row.ui");
  gtk_widget_class_bind_template_child (widget_class, PieperTimelineRow, kind_icon);
  gtk_widget_class_bind_template_child (widget_class, PieperTimelineRow, heading_label);
  gtk_widget_class_bind_template_child (widget_class, PieperTimelineRow, body_label);
  gtk_widget_class_bind_template_child (widget_class, PieperTimelineRow, state_label);
}

static void
pieper_timeline_row_init (PieperTimelineRow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}

GtkWidget *
pieper_timeline_row_new (PieperTimelineEntry *entry)
{
  PieperTimelineRow *self;

  g_return_val_if_fail (PIEPER_IS_TIMELINE_ENTRY (entry), NULL);

  self = g_object_new (PIEPER_TYPE_TIMELINE_ROW, NULL);
  self->entry = g_object_ref (entry);
  update (self);
  return GTK_WIDGET (self);
}

PieperTimelineEntry *
pieper_timeline_row_get_entry (PieperTimelineRow *self)
{
  g_return_val_if_fail (PIEPER_IS_TIMELINE_ROW (self), NULL);

  return self->entry;
}
