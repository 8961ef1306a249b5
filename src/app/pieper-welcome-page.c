/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include "pieper-welcome-page.h"

/*
 * The first-run page: what Pieper does, the form that adds the account the
 * responder is on call for, and the demo. The window makes it only while
 * there is no account: in the window's own template it was built, styled
 * and measured at every start, for a page shown once.
 */

struct _PieperWelcomePage
{
  GtkBox             parent_instance;

  GtkMenuButton     *menu_button;
  PieperAccountForm *account_form;
};

G_DEFINE_FINAL_TYPE (PieperWelcomePage, pieper_welcome_page, GTK_TYPE_BOX)

static void
pieper_welcome_page_dispose (GObject *object)
{
  gtk_widget_dispose_template (GTK_WIDGET (object), PIEPER_TYPE_WELCOME_PAGE);

  G_OBJECT_CLASS (pieper_welcome_page_parent_class)->dispose (object);
}

static void
pieper_welcome_page_class_init (PieperWelcomePageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = pieper_welcome_page_dispose;

  g_type_ensure (PIEPER_TYPE_ACCOUNT_FORM);
  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/pieper/Pieper/ui/pieper-welcome-page.ui");
  gtk_widget_class_bind_template_child (widget_class, PieperWelcomePage, menu_button);
  gtk_widget_class_bind_template_child (widget_class, PieperWelcomePage, account_form);
}

static void
pieper_welcome_page_init (PieperWelcomePage *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}

/* @menu: the main menu, which the window's own header bar has too. */
GtkWidget *
pieper_welcome_page_new (PieperApplication *application,
                         GMenuModel        *menu)
{
  PieperWelcomePage *self;

  g_return_val_if_fail (PIEPER_IS_APPLICATION (application), NULL);
  g_return_val_if_fail (menu == NULL || G_IS_MENU_MODEL (menu), NULL);

  self = g_object_new (PIEPER_TYPE_WELCOME_PAGE, NULL);
  pieper_account_form_set_application (self->account_form, application);
  gtk_menu_button_set_menu_model (self->menu_button, menu);
  return GTK_WIDGET (self);
}

PieperAccountForm *
pieper_welcome_page_get_account_form (PieperWelcomePage *self)
{
  g_return_val_if_fail (PIEPER_IS_WELCOME_PAGE (self), NULL);

  return self->account_form;
}
