/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n.h>
#include <glib/gstdio.h>

#include "pieper-application-private.h"
#include "pieper-providers.h"
#include "pieper-sim.h"

/*
 * Demo mode: pieper-sim in this process, on 127.0.0.1, with a realistic set
 * of incidents and a new page every minute, synced into a store in a
 * throwaway directory. The token is the sim's own and goes straight to the
 * provider: demo mode never touches the Secret Service.
 */

#define DEMO_INCIDENTS      40
#define DEMO_PAGE_SECONDS   60
#define DEMO_POLL_SECONDS   5
#define DEMO_TOKEN          "pieper-demo"
#define DEMO_USER_ID        "PME0001"
#define DEMO_USER_NAME      "Mira Jansen"
#define DEMO_USER_EMAIL     "mira.jansen@example.com"

struct _PieperDemo
{
  PieperSim *sim;
  guint      page_id;
  guint      n_paged;
};

/* What monitoring says at 3 a.m.; server text, so not translated. */
static const struct
{
  const char *summary;
  const char *service;
  const char *urgency;
} pages[] = {
  { "checkout-api: p99 latency above 2 s for 5 minutes", "checkout-api", "high" },
  { "payments-db: replication lag 94 s on replica db-pay-02", "payments-db", "high" },
  { "search-indexer: queue backlog above 50,000 documents", "search-indexer", "low" },
  { "auth-gateway: 5xx error rate 7.4% on /oauth/token", "auth-gateway", "high" },
  { "notifications-worker: 312 messages in the dead-letter queue", "notifications-worker", "low" },
  { "cdn-edge: certificate for static.example.com expires in 6 days", "cdn-edge", "low" },
  { "kafka-cluster: broker kafka-3 under-replicated partitions", "kafka-cluster", "high" },
  { "billing-cron: nightly invoice run did not finish", "billing-cron", "high" },
};

static gboolean
page_cb (gpointer user_data)
{
  _pieper_demo_page (user_data);
  return G_SOURCE_CONTINUE;
}

void
_pieper_demo_page (PieperDemo *demo)
{
  guint k = demo->n_paged++ % G_N_ELEMENTS (pages);

  pieper_sim_trigger (demo->sim, pages[k].summary, pages[k].service, pages[k].urgency);
}

char *
_pieper_demo_make_data_dir (GError **error)
{
  return g_dir_make_tmp ("pieper-demo-XXXXXX", error);
}

PieperDemo *
_pieper_demo_start (PieperStore       *store,
                    PieperSyncEngine  *engine,
                    GError           **error)
{
  g_autoptr(PieperDemo) demo = g_new0 (PieperDemo, 1);
  g_autoptr(PieperAccount) account = NULL;
  g_autoptr(PieperProvider) provider = NULL;
  g_autofree char *url = NULL;

  demo->sim = pieper_sim_new ();
  pieper_sim_set_token (demo->sim, DEMO_TOKEN);
  pieper_sim_set_me (demo->sim, DEMO_USER_ID, DEMO_USER_NAME, DEMO_USER_EMAIL);
  pieper_sim_add_incidents (demo->sim, DEMO_INCIDENTS);
  if (!pieper_sim_start (demo->sim, 0, error))
    return NULL;

  url = pieper_sim_dup_url (demo->sim);
  if (!(account = pieper_store_ensure_account (store, "pagerduty", url, DEMO_USER_EMAIL, error)))
    return NULL;

  /* Who "mine" is, without a round trip to ask. */
  pieper_account_set_user_id (account, DEMO_USER_ID);
  pieper_account_set_user_name (account, DEMO_USER_NAME);
  if (!pieper_store_update_account (store, account, error))
    return NULL;

  if (!(provider = pieper_provider_new_for_account (account, DEMO_TOKEN, error)))
    return NULL;

  pieper_sync_engine_add_account (engine, account, provider);
  pieper_sync_engine_set_poll_interval (engine, DEMO_POLL_SECONDS);
  demo->page_id = g_timeout_add_seconds (DEMO_PAGE_SECONDS, page_cb, demo);

  return g_steal_pointer (&demo);
}

void
_pieper_demo_free (PieperDemo *demo)
{
  if (demo == NULL)
    return;

  g_clear_handle_id (&demo->page_id, g_source_remove);
  if (demo->sim != NULL)
    pieper_sim_stop (demo->sim);
  g_clear_object (&demo->sim);
  g_free (demo);
}
