/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "test-providers"

#include "config.h"

#include <string.h>

#include "pieper-pagerduty.h"
#include "pieper-providers.h"

/*
 * The factory, and the interface glue: an op a provider leaves out fails
 * with UNSUPPORTED through the callback.
 */

/* A provider that implements nothing. */

#define TEST_TYPE_BARE_PROVIDER (test_bare_provider_get_type ())
G_DECLARE_FINAL_TYPE (TestBareProvider, test_bare_provider, TEST, BARE_PROVIDER, GObject)

struct _TestBareProvider
{
  GObject parent_instance;
};

static void
test_bare_provider_iface_init (PieperProviderInterface *iface)
{
}

G_DEFINE_FINAL_TYPE_WITH_CODE (TestBareProvider, test_bare_provider, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (PIEPER_TYPE_PROVIDER,
                                                      test_bare_provider_iface_init))

static void
test_bare_provider_class_init (TestBareProviderClass *klass)
{
}

static void
test_bare_provider_init (TestBareProvider *self)
{
}

static void
result_cb (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  GAsyncResult **out = user_data;

  *out = g_object_ref (result);
}

static GAsyncResult *
wait_result (GAsyncResult **result)
{
  while (*result == NULL)
    g_main_context_iteration (NULL, TRUE);

  return g_steal_pointer (result);
}

static void
test_unsupported (void)
{
  g_autoptr(PieperProvider) provider = g_object_new (TEST_TYPE_BARE_PROVIDER, NULL);
  GAsyncResult *pending = NULL;
  int op;

  g_assert_cmpuint (pieper_provider_get_capabilities (provider), ==, PIEPER_CAPABILITY_NONE);
  g_assert_cmpuint (pieper_provider_get_retry_after (provider), ==, 0);

  {
    g_autoptr(GAsyncResult) result = NULL;
    g_autoptr(GError) error = NULL;
    char *id = (char *) "unset";
    char *name = (char *) "unset";

    pieper_provider_whoami_async (provider, NULL, result_cb, &pending);
    result = wait_result (&pending);
    g_assert_false (pieper_provider_whoami_finish (provider, result, &id, &name, &error));
    g_assert_error (error, PIEPER_PROVIDER_ERROR, PIEPER_PROVIDER_ERROR_UNSUPPORTED);
    g_assert_null (id);
    g_assert_null (name);
  }

  {
    g_autoptr(GAsyncResult) result = NULL;
    g_autoptr(GError) error = NULL;
    g_autofree char *next = NULL;

    pieper_provider_list_incidents_async (provider, NULL, NULL, result_cb, &pending);
    result = wait_result (&pending);
    g_assert_null (pieper_provider_list_incidents_finish (provider, result, &next, &error));
    g_assert_error (error, PIEPER_PROVIDER_ERROR, PIEPER_PROVIDER_ERROR_UNSUPPORTED);
    g_assert_null (next);
  }

  {
    g_autoptr(GAsyncResult) result = NULL;
    g_autoptr(GError) error = NULL;

    pieper_provider_list_changes_async (provider, 0, NULL, NULL, result_cb, &pending);
    result = wait_result (&pending);
    g_assert_null (pieper_provider_list_changes_finish (provider, result, NULL, NULL, &error));
    g_assert_error (error, PIEPER_PROVIDER_ERROR, PIEPER_PROVIDER_ERROR_UNSUPPORTED);
  }

  {
    g_autoptr(GAsyncResult) result = NULL;
    g_autoptr(GError) error = NULL;

    pieper_provider_get_incident_async (provider, "P1", NULL, result_cb, &pending);
    result = wait_result (&pending);
    g_assert_null (pieper_provider_get_incident_finish (provider, result, &error));
    g_assert_error (error, PIEPER_PROVIDER_ERROR, PIEPER_PROVIDER_ERROR_UNSUPPORTED);
  }

  {
    g_autoptr(GAsyncResult) result = NULL;
    g_autoptr(GError) error = NULL;

    pieper_provider_list_timeline_async (provider, "P1", NULL, result_cb, &pending);
    result = wait_result (&pending);
    g_assert_null (pieper_provider_list_timeline_finish (provider, result, &error));
    g_assert_error (error, PIEPER_PROVIDER_ERROR, PIEPER_PROVIDER_ERROR_UNSUPPORTED);
  }

  for (op = PIEPER_OP_ACKNOWLEDGE; op <= PIEPER_OP_SNOOZE; op++)
    {
      g_autoptr(GAsyncResult) result = NULL;
      g_autoptr(GError) error = NULL;

      switch (op)
        {
        case PIEPER_OP_ACKNOWLEDGE:
          pieper_provider_acknowledge_async (provider, "P1", NULL, result_cb, &pending);
          break;
        case PIEPER_OP_RESOLVE:
          pieper_provider_resolve_async (provider, "P1", NULL, result_cb, &pending);
          break;
        case PIEPER_OP_ESCALATE:
          pieper_provider_escalate_async (provider, "P1", 0, NULL, result_cb, &pending);
          break;
        case PIEPER_OP_REASSIGN:
          pieper_provider_reassign_async (provider, "P1", "PUSER01", NULL, result_cb, &pending);
          break;
        case PIEPER_OP_SNOOZE:
          pieper_provider_snooze_async (provider, "P1", 60, NULL, result_cb, &pending);
          break;
        default:
          g_assert_not_reached ();
        }

      result = wait_result (&pending);
      g_assert_null (pieper_provider_update_finish (provider, result, &error));
      g_assert_error (error, PIEPER_PROVIDER_ERROR, PIEPER_PROVIDER_ERROR_UNSUPPORTED);
    }

  {
    g_autoptr(GAsyncResult) result = NULL;
    g_autoptr(GError) error = NULL;

    pieper_provider_add_note_async (provider, "P1", "text", NULL, result_cb, &pending);
    result = wait_result (&pending);
    g_assert_null (pieper_provider_add_note_finish (provider, result, &error));
    g_assert_error (error, PIEPER_PROVIDER_ERROR, PIEPER_PROVIDER_ERROR_UNSUPPORTED);
  }
}

static void
test_factory (void)
{
  g_autoptr(PieperAccount) account = NULL;
  g_autoptr(PieperProvider) provider = NULL;
  g_autoptr(GError) error = NULL;

  account = pieper_account_new ("pagerduty", "https://api.pagerduty.com", "me@example.com");
  provider = pieper_provider_new_for_account (account, "token", &error);
  g_assert_no_error (error);
  g_assert_true (PIEPER_IS_PAGERDUTY (provider));
  g_clear_object (&provider);
  g_clear_object (&account);

  /* Plain http only to this machine. */
  account = pieper_account_new ("pagerduty", "http://127.0.0.1:8080", "me@example.com");
  provider = pieper_provider_new_for_account (account, "token", &error);
  g_assert_no_error (error);
  g_assert_nonnull (provider);
  g_clear_object (&provider);
  g_clear_object (&account);

  account = pieper_account_new ("pagerduty", "http://localhost:8080/", "me@example.com");
  provider = pieper_provider_new_for_account (account, "token", &error);
  g_assert_no_error (error);
  g_clear_object (&provider);
  g_clear_object (&account);

  account = pieper_account_new ("pagerduty", "http://api.pagerduty.com", "me@example.com");
  provider = pieper_provider_new_for_account (account, "token", &error);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
  g_assert_null (provider);
  g_clear_error (&error);
  g_clear_object (&account);

  account = pieper_account_new ("pagerduty", "not a url", "me@example.com");
  provider = pieper_provider_new_for_account (account, "token", &error);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);
  g_clear_object (&account);

  account = pieper_account_new ("pagerduty", "https://api.pagerduty.com", "me@example.com");
  provider = pieper_provider_new_for_account (account, "", &error);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);
  g_clear_object (&account);

  account = pieper_account_new ("opsgenie", "https://api.opsgenie.com", "me@example.com");
  provider = pieper_provider_new_for_account (account, "token", &error);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED);
  g_assert_nonnull (strstr (error->message, "opsgenie"));
  g_assert_null (provider);
}

static void
test_list (void)
{
  const char * const *names = pieper_providers_list ();

  g_assert_nonnull (names);
  g_assert_true (g_strv_contains (names, "pagerduty"));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/providers/unsupported", test_unsupported);
  g_test_add_func ("/providers/factory", test_factory);
  g_test_add_func ("/providers/list", test_list);

  return g_test_run ();
}
