/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include "pieper-row-text.h"

/*
 * The text of a list row (and of the window's offline banner): wrapped to
 * the width it gets, at most :lines lines, ellipsized at the end; it looks
 * like a GtkLabel (its CSS name is "label") and reads like one (role label,
 * named by its text).
 *
 * Why not a GtkLabel: a list view of GTK 4.8 keeps up to 200 rows bound,
 * and measures and allocates every one of them before its first frame. A
 * wrapping GtkLabel lays its text out three to five times to be measured
 * (as wide as it can be, as narrow as it can be, at the width it gets, for
 * its character width), each time shaping it again; that was most of the
 * start-up of a window with a long list. This text asks for no width of
 * its own (the row gives it what is left) and is laid out once, at the
 * width it gets, which its measure, allocation and drawing all share.
 */

struct _PieperRowText
{
  GtkWidget    parent_instance;

  char        *text;
  guint        lines;
  PangoLayout *layout;
};

G_DEFINE_FINAL_TYPE (PieperRowText, pieper_row_text, GTK_TYPE_WIDGET)

enum {
  PROP_0,
  PROP_TEXT,
  PROP_LINES,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
update_alignment (PieperRowText *self)
{
  if (self->layout != NULL)
    pango_layout_set_alignment (self->layout,
                                gtk_widget_get_direction (GTK_WIDGET (self)) == GTK_TEXT_DIR_RTL ?
                                PANGO_ALIGN_RIGHT : PANGO_ALIGN_LEFT);
}

/* Made when first needed, so with the widget's style: its font is in the
 * widget's Pango context, and a layout notices when that changes. */
static PangoLayout *
ensure_layout (PieperRowText *self)
{
  if (self->layout == NULL)
    {
      self->layout = gtk_widget_create_pango_layout (GTK_WIDGET (self), self->text);
      pango_layout_set_wrap (self->layout, PANGO_WRAP_WORD_CHAR);
      pango_layout_set_ellipsize (self->layout, PANGO_ELLIPSIZE_END);
      pango_layout_set_height (self->layout, -(int) self->lines);
      update_alignment (self);
    }
  return self->layout;
}

/* Sets the width only when it changes: a changed width lays the text out
 * again. */
static void
set_layout_width (PieperRowText *self,
                  int            width)
{
  PangoLayout *layout = ensure_layout (self);
  int pango_width = width < 0 ? -1 : width * PANGO_SCALE;

  if (pango_layout_get_width (layout) != pango_width)
    pango_layout_set_width (layout, pango_width);
}

/* The height of one line of @context's font, in Pango units. Asked of
 * Pango once a font: its metrics lay out a sample sentence each time. */
static int
line_height (PangoContext *context)
{
  static GHashTable *heights = NULL;
  const PangoFontDescription *font = pango_context_get_font_description (context);
  gpointer height;

  if (heights == NULL)
    heights = g_hash_table_new_full ((GHashFunc) pango_font_description_hash,
                                     (GEqualFunc) pango_font_description_equal,
                                     (GDestroyNotify) pango_font_description_free, NULL);

  if (!g_hash_table_lookup_extended (heights, font, NULL, &height))
    {
      PangoFontMetrics *metrics = pango_context_get_metrics (context, font, NULL);

      height = GINT_TO_POINTER (pango_font_metrics_get_height (metrics));
      pango_font_metrics_unref (metrics);
      g_hash_table_insert (heights, pango_font_description_copy (font), height);
    }

  return GPOINTER_TO_INT (height);
}

static GtkSizeRequestMode
pieper_row_text_get_request_mode (GtkWidget *widget)
{
  return GTK_SIZE_REQUEST_HEIGHT_FOR_WIDTH;
}

static void
pieper_row_text_measure (GtkWidget      *widget,
                         GtkOrientation  orientation,
                         int             for_size,
                         int            *minimum,
                         int            *natural,
                         int            *minimum_baseline,
                         int            *natural_baseline)
{
  PieperRowText *self = PIEPER_ROW_TEXT (widget);
  int height;

  /* No width of its own: the text takes what the row leaves it. */
  if (orientation == GTK_ORIENTATION_HORIZONTAL)
    {
      *minimum = *natural = 0;
      return;
    }

  if (self->text == NULL || *self->text == '\0')
    {
      *minimum = *natural = 0;
      return;
    }

  /* For no width in particular, as tall as it can be (which it is at the
   * least width it asks for, none), without laying the text out: a list
   * view asks every row so, for a request its scrolled window drops. */
  if (for_size < 0)
    {
      *minimum = *natural = PANGO_PIXELS_CEIL ((int) self->lines *
                                               line_height (gtk_widget_get_pango_context (widget)));
      return;
    }

  set_layout_width (self, for_size);
  pango_layout_get_pixel_size (self->layout, NULL, &height);
  *minimum = *natural = height;
}

static void
pieper_row_text_size_allocate (GtkWidget *widget,
                               int        width,
                               int        height,
                               int        baseline)
{
  set_layout_width (PIEPER_ROW_TEXT (widget), width);
}

static void
pieper_row_text_snapshot (GtkWidget   *widget,
                          GtkSnapshot *snapshot)
{
  PieperRowText *self = PIEPER_ROW_TEXT (widget);
  int height;

  if (self->text == NULL || *self->text == '\0')
    return;

  /* Centred in a taller allocation, as a GtkLabel is. */
  set_layout_width (self, gtk_widget_get_width (widget));
  pango_layout_get_pixel_size (self->layout, NULL, &height);
  gtk_snapshot_render_layout (snapshot, gtk_widget_get_style_context (widget),
                              0, MAX (0, (gtk_widget_get_height (widget) - height) / 2), self->layout);
}

static void
pieper_row_text_direction_changed (GtkWidget        *widget,
                                   GtkTextDirection  previous_direction)
{
  update_alignment (PIEPER_ROW_TEXT (widget));
  GTK_WIDGET_CLASS (pieper_row_text_parent_class)->direction_changed (widget, previous_direction);
}

static void
pieper_row_text_finalize (GObject *object)
{
  PieperRowText *self = PIEPER_ROW_TEXT (object);

  g_clear_object (&self->layout);
  g_free (self->text);

  G_OBJECT_CLASS (pieper_row_text_parent_class)->finalize (object);
}

static void
pieper_row_text_get_property (GObject    *object,
                              guint       prop_id,
                              GValue     *value,
                              GParamSpec *pspec)
{
  PieperRowText *self = PIEPER_ROW_TEXT (object);

  switch (prop_id)
    {
    case PROP_TEXT:
      g_value_set_string (value, self->text);
      break;

    case PROP_LINES:
      g_value_set_uint (value, self->lines);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
pieper_row_text_set_property (GObject      *object,
                              guint         prop_id,
                              const GValue *value,
                              GParamSpec   *pspec)
{
  PieperRowText *self = PIEPER_ROW_TEXT (object);

  switch (prop_id)
    {
    case PROP_TEXT:
      pieper_row_text_set_text (self, g_value_get_string (value));
      break;

    case PROP_LINES:
      pieper_row_text_set_lines (self, g_value_get_uint (value));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
pieper_row_text_class_init (PieperRowTextClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->finalize = pieper_row_text_finalize;
  object_class->get_property = pieper_row_text_get_property;
  object_class->set_property = pieper_row_text_set_property;

  widget_class->get_request_mode = pieper_row_text_get_request_mode;
  widget_class->measure = pieper_row_text_measure;
  widget_class->size_allocate = pieper_row_text_size_allocate;
  widget_class->snapshot = pieper_row_text_snapshot;
  widget_class->direction_changed = pieper_row_text_direction_changed;

  properties[PROP_TEXT] =
    g_param_spec_string ("text", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_LINES] =
    g_param_spec_uint ("lines", NULL, NULL, 1, 100, 1,
                       G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /* Styled as a label: colours, fonts, dim-label, heading, caption. */
  gtk_widget_class_set_css_name (widget_class, "label");
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_LABEL);
}

static void
pieper_row_text_init (PieperRowText *self)
{
  self->lines = 1;
}

GtkWidget *
pieper_row_text_new (void)
{
  return g_object_new (PIEPER_TYPE_ROW_TEXT, NULL);
}

const char *
pieper_row_text_get_text (PieperRowText *self)
{
  g_return_val_if_fail (PIEPER_IS_ROW_TEXT (self), NULL);

  return self->text;
}

void
pieper_row_text_set_text (PieperRowText *self,
                          const char    *text)
{
  g_return_if_fail (PIEPER_IS_ROW_TEXT (self));

  if (g_strcmp0 (self->text, text) == 0)
    return;

  g_free (self->text);
  self->text = g_strdup (text);
  if (self->layout != NULL)
    pango_layout_set_text (self->layout, text != NULL ? text : "", -1);

  /* What a screen reader says: the whole text, however it is cut. */
  gtk_accessible_update_property (GTK_ACCESSIBLE (self), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  text != NULL ? text : "", -1);
  gtk_widget_queue_resize (GTK_WIDGET (self));
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_TEXT]);
}

guint
pieper_row_text_get_lines (PieperRowText *self)
{
  g_return_val_if_fail (PIEPER_IS_ROW_TEXT (self), 1);

  return self->lines;
}

void
pieper_row_text_set_lines (PieperRowText *self,
                           guint          lines)
{
  g_return_if_fail (PIEPER_IS_ROW_TEXT (self));
  g_return_if_fail (lines >= 1);

  if (self->lines == lines)
    return;

  self->lines = lines;
  if (self->layout != NULL)
    pango_layout_set_height (self->layout, -(int) lines);
  gtk_widget_queue_resize (GTK_WIDGET (self));
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LINES]);
}
