/* app/'s own helpers shared between its files; nothing outside app/ sees them. */
#ifndef GATEHOUSE_APP_INTERNAL_H
#define GATEHOUSE_APP_INTERNAL_H

#include "gatehouse/app/services.h"
#include "gatehouse/decide/outbox.h"

/* Delivery through the forges (sink.c). */
extern const struct gth_delivery_sink_ops app_sink_ops;

/* The forge whose host (from its web URL) is host, or NULL. */
struct gth_forge *app_forge_for_host(struct gth_app *app, const char *host);

/* Signing configuration: [sign] key, and git's user.signingkey / gpg.format fallbacks. */
const char *app_sign_key(const struct gth_app *app);
const char *app_git_signingkey(const struct gth_app *app);
const char *app_git_gpg_format(const struct gth_app *app);
const char *app_allowed_signers(const struct gth_app *app);

#endif
