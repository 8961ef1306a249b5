/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "Pieper"

#include "config.h"

#include "pieper-account.h"

struct _PieperAccount
{
  GObject  parent_instance;

  gint64   id;
  char    *provider;
  char    *url;
  char    *email;
  char    *user_id;
  char    *user_name;
  gint64   created_at;
};

G_DEFINE_FINAL_TYPE (PieperAccount, pieper_account, G_TYPE_OBJECT)

static void
pieper_account_finalize (GObject *object)
{
  PieperAccount *self = (PieperAccount *) object;

  g_free (self->provider);
  g_free (self->url);
  g_free (self->email);
  g_free (self->user_id);
  g_free (self->user_name);

  G_OBJECT_CLASS (pieper_account_parent_class)->finalize (object);
}

static void
pieper_account_class_init (PieperAccountClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = pieper_account_finalize;
}

static void
pieper_account_init (PieperAccount *self)
{
}

PieperAccount *
pieper_account_new (const char *provider,
                    const char *url,
                    const char *email)
{
  PieperAccount *self;

  g_return_val_if_fail (provider != NULL, NULL);
  g_return_val_if_fail (url != NULL, NULL);

  self = g_object_new (PIEPER_TYPE_ACCOUNT, NULL);
  self->provider = g_strdup (provider);
  self->url = g_strdup (url);
  self->email = g_strdup (email != NULL ? email : "");

  return self;
}

gint64
pieper_account_get_id (PieperAccount *self)
{
  g_return_val_if_fail (PIEPER_IS_ACCOUNT (self), 0);
  return self->id;
}

void
pieper_account_set_id (PieperAccount *self,
                       gint64         id)
{
  g_return_if_fail (PIEPER_IS_ACCOUNT (self));
  self->id = id;
}

const char *
pieper_account_get_provider (PieperAccount *self)
{
  g_return_val_if_fail (PIEPER_IS_ACCOUNT (self), NULL);
  return self->provider;
}

const char *
pieper_account_get_url (PieperAccount *self)
{
  g_return_val_if_fail (PIEPER_IS_ACCOUNT (self), NULL);
  return self->url;
}

const char *
pieper_account_get_email (PieperAccount *self)
{
  g_return_val_if_fail (PIEPER_IS_ACCOUNT (self), NULL);
  return self->email;
}

const char *
pieper_account_get_user_id (PieperAccount *self)
{
  g_return_val_if_fail (PIEPER_IS_ACCOUNT (self), NULL);
  return self->user_id;
}

void
pieper_account_set_user_id (PieperAccount *self,
                            const char    *user_id)
{
  g_return_if_fail (PIEPER_IS_ACCOUNT (self));
  g_free (self->user_id);
  self->user_id = g_strdup (user_id);
}

const char *
pieper_account_get_user_name (PieperAccount *self)
{
  g_return_val_if_fail (PIEPER_IS_ACCOUNT (self), NULL);
  return self->user_name;
}

void
pieper_account_set_user_name (PieperAccount *self,
                              const char    *user_name)
{
  g_return_if_fail (PIEPER_IS_ACCOUNT (self));
  g_free (self->user_name);
  self->user_name = g_strdup (user_name);
}

gint64
pieper_account_get_created_at (PieperAccount *self)
{
  g_return_val_if_fail (PIEPER_IS_ACCOUNT (self), 0);
  return self->created_at;
}

void
pieper_account_set_created_at (PieperAccount *self,
                               gint64         at)
{
  g_return_if_fail (PIEPER_IS_ACCOUNT (self));
  self->created_at = at;
}
