/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include "pieper-alarm-sound.h"

/*
 * The sound is a GtkMediaFile (GStreamer's playbin behind it) made for each
 * alarm and dropped when it stops, so a changed choice of sound applies to
 * the next alarm and nothing holds the audio device between alarms. A
 * missing sound server is a normal state on a headless machine or in a
 * test: the stream reports an error, which is said once, with g_message,
 * never as a warning.
 */

#define RESOURCE_DIR "/io/github/pieper/Pieper/sounds/"

struct _PieperAlarmSound
{
  GObject         parent_instance;

  char           *sound;
  double          volume;
  GtkMediaStream *stream;
  gboolean        ringing;
  gboolean        error_said;
};

G_DEFINE_FINAL_TYPE (PieperAlarmSound, pieper_alarm_sound, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_SOUND,
  PROP_VOLUME,
  PROP_RINGING,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

PieperAlarmSound *
pieper_alarm_sound_new (void)
{
  return g_object_new (PIEPER_TYPE_ALARM_SOUND, NULL);
}

static void
stream_error_cb (PieperAlarmSound *self,
                 GParamSpec       *pspec,
                 GtkMediaStream   *stream)
{
  const GError *error = gtk_media_stream_get_error (stream);

  if (error == NULL || self->error_said)
    return;

  self->error_said = TRUE;
  g_message ("The alarm sound cannot play (no sound server?): %s", error->message);
}

static void
drop_stream (PieperAlarmSound *self)
{
  if (self->stream == NULL)
    return;

  g_signal_handlers_disconnect_by_func (self->stream, stream_error_cb, self);
  gtk_media_stream_pause (self->stream);
  g_clear_object (&self->stream);
}

void
pieper_alarm_sound_start (PieperAlarmSound *self)
{
  g_autofree char *path = NULL;

  g_return_if_fail (PIEPER_IS_ALARM_SOUND (self));

  if (!self->ringing)
    {
      self->ringing = TRUE;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_RINGING]);
    }

  if (self->stream != NULL || g_strcmp0 (self->sound, "none") == 0)
    return;

  path = g_strconcat (RESOURCE_DIR, self->sound, ".oga", NULL);
  if (!g_resources_get_info (path, G_RESOURCE_LOOKUP_FLAGS_NONE, NULL, NULL, NULL))
    {
      g_clear_pointer (&path, g_free);
      path = g_strdup (RESOURCE_DIR "pieper-alarm.oga");
    }

  self->stream = gtk_media_file_new_for_resource (path);
  g_signal_connect_object (self->stream, "notify::error", G_CALLBACK (stream_error_cb),
                           self, G_CONNECT_SWAPPED);
  gtk_media_stream_set_loop (self->stream, TRUE);
  gtk_media_stream_set_volume (self->stream, self->volume);
  stream_error_cb (self, NULL, self->stream);
  gtk_media_stream_play (self->stream);
}

void
pieper_alarm_sound_stop (PieperAlarmSound *self)
{
  g_return_if_fail (PIEPER_IS_ALARM_SOUND (self));

  drop_stream (self);
  if (self->ringing)
    {
      self->ringing = FALSE;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_RINGING]);
    }
}

gboolean
pieper_alarm_sound_get_ringing (PieperAlarmSound *self)
{
  g_return_val_if_fail (PIEPER_IS_ALARM_SOUND (self), FALSE);

  return self->ringing;
}

GtkMediaStream *
pieper_alarm_sound_get_stream (PieperAlarmSound *self)
{
  g_return_val_if_fail (PIEPER_IS_ALARM_SOUND (self), NULL);

  return self->stream;
}

static void
pieper_alarm_sound_get_property (GObject    *object,
                                 guint       prop_id,
                                 GValue     *value,
                                 GParamSpec *pspec)
{
  PieperAlarmSound *self = PIEPER_ALARM_SOUND (object);

  switch (prop_id)
    {
    case PROP_SOUND:
      g_value_set_string (value, self->sound);
      break;

    case PROP_VOLUME:
      g_value_set_double (value, self->volume);
      break;

    case PROP_RINGING:
      g_value_set_boolean (value, self->ringing);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
pieper_alarm_sound_set_property (GObject      *object,
                                 guint         prop_id,
                                 const GValue *value,
                                 GParamSpec   *pspec)
{
  PieperAlarmSound *self = PIEPER_ALARM_SOUND (object);

  switch (prop_id)
    {
    case PROP_SOUND:
      if (g_strcmp0 (self->sound, g_value_get_string (value)) != 0)
        {
          g_free (self->sound);
          self->sound = g_value_dup_string (value);
          if (self->sound == NULL)
            self->sound = g_strdup ("pieper-alarm");
          /* A ringing alarm switches to the new sound (or to silence). */
          if (self->ringing)
            {
              drop_stream (self);
              pieper_alarm_sound_start (self);
            }
          g_object_notify_by_pspec (object, pspec);
        }
      break;

    case PROP_VOLUME:
      if (self->volume != g_value_get_double (value))
        {
          self->volume = g_value_get_double (value);
          if (self->stream != NULL)
            gtk_media_stream_set_volume (self->stream, self->volume);
          g_object_notify_by_pspec (object, pspec);
        }
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
pieper_alarm_sound_dispose (GObject *object)
{
  drop_stream (PIEPER_ALARM_SOUND (object));

  G_OBJECT_CLASS (pieper_alarm_sound_parent_class)->dispose (object);
}

static void
pieper_alarm_sound_finalize (GObject *object)
{
  g_free (PIEPER_ALARM_SOUND (object)->sound);

  G_OBJECT_CLASS (pieper_alarm_sound_parent_class)->finalize (object);
}

static void
pieper_alarm_sound_class_init (PieperAlarmSoundClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->get_property = pieper_alarm_sound_get_property;
  object_class->set_property = pieper_alarm_sound_set_property;
  object_class->dispose = pieper_alarm_sound_dispose;
  object_class->finalize = pieper_alarm_sound_finalize;

  properties[PROP_SOUND] =
    g_param_spec_string ("sound", NULL, NULL, "pieper-alarm",
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_VOLUME] =
    g_param_spec_double ("volume", NULL, NULL, 0.0, 1.0, 1.0,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_RINGING] =
    g_param_spec_boolean ("ringing", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
pieper_alarm_sound_init (PieperAlarmSound *self)
{
  self->sound = g_strdup ("pieper-alarm");
  self->volume = 1.0;
}
