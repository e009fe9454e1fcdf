/*
 * The main configuration: $XDG_CONFIG_HOME/gatehouse/config (git-config
 * syntax, read through cfg.h), then `-c section.key=value` overrides.
 *
 * Every known key is validated and turned into a field below; unknown
 * sections and keys are errors with file:line, because a misspelt
 * "ca-bundle" must not quietly mean "system store".  Sections whose
 * values another layer interprets ([keymap], [color], [template]) are
 * checked for their key names here and kept in raw for that layer.
 * The keys and their defaults are documented in doc/config.md.
 */
#ifndef GATEHOUSE_CONFIG_CONFIG_H
#define GATEHOUSE_CONFIG_CONFIG_H

#include <stdbool.h>
#include <stddef.h>

#include "gatehouse/base/err.h"
#include "gatehouse/base/str.h"
#include "gatehouse/config/cfg.h"
#include "gatehouse/model/pr.h"

/* [forge "NAME"]: one configured forge.  Strings are NULL when unset and not derivable. */
struct gth_config_forge {
	char *name;		/* the subsection, as written */
	enum gth_forge_kind kind;
	char *url;		/* REST API base; default per kind (https://api.github.com) */
	char *graphql_url;	/* default derived from url (GHES /api/v3 -> /api/graphql) */
	char *web_url;		/* default derived from url (api.github.com: github.com) */
	char *token_env;	/* github: NULL = GH_TOKEN then GITHUB_TOKEN;
				 * default GITLAB_TOKEN, GITEA_TOKEN */
	char *token_command;	/* raw; the forge layer splits it and runs it without a shell */
	char *token_file;	/* "~/" expanded; forge/ refuses a group/other-readable file */
	bool credential_helper;	/* ask `git credential fill` */
	char *ca_bundle;	/* "~/" expanded; NULL = system store */
	struct gth_strvec queries;	/* github: the two default queries when none is given */
	struct gth_strvec agents;	/* extra agent logins ([forge] agent = LOGIN) */
	char *user;		/* expected login, or NULL */
	char *origin;		/* "file:line" of the section's first key (for messages) */
};

enum gth_sign_key_kind {
	GTH_SIGN_KEY_NONE,
	GTH_SIGN_KEY_PATH,		/* path to a .pub (or its private half) */
	GTH_SIGN_KEY_FINGERPRINT,	/* "SHA256:..." of a key in the agent */
	GTH_SIGN_KEY_LITERAL,		/* "ssh-ed25519 AAAA... comment" */
};

struct gth_config {
	char *path;		/* the file read (or looked for) */
	bool file_found;

	struct gth_config_forge *forges;
	size_t n_forges, cap_forges;

	long refresh_ms;	/* [queue] refresh; default 5 min, at least 30 s */

	char *sign_key;		/* [sign] key as written ("~/" expanded for paths), or the
				 * git fallback below when unset */
	enum gth_sign_key_kind sign_key_kind;
	bool sign_key_from_git;	/* taken from git's user.signingkey */
	char *allowed_signers;	/* [sign] allowed-signers, else gpg.ssh.allowedSignersFile */

	/* What git's own config says (read only when [sign] key is unset); NULL when unset. */
	char *git_gpg_format;
	char *git_signing_key;
	char *git_allowed_signers;

	char *theme;		/* [ui] theme name, or NULL for the built-in default */
	bool ascii;
	bool tabs;		/* [ui] tabs: the PR view's panels as tabs on wide screens too */
	bool mouse;
	bool audit_syslog;

	char *config_dir;	/* $XDG_CONFIG_HOME/gatehouse */
	char *cache_dir;	/* [core] cache-dir, default $XDG_CACHE_HOME/gatehouse */
	char *state_dir;	/* [core] state-dir, default $XDG_STATE_HOME/gatehouse */
	long outbox_settle_ms;	/* [core] outbox-settle, default 60 s (GTH_OUTBOX_SETTLE_DEFAULT) */
	struct gth_strvec policy_paths;	/* /etc/gatehouse/policy, then config_dir/policy */

	struct gth_cfg raw;	/* every entry, overrides last (keymap, color, template) */
};

/*
 * Load path_or_NULL (NULL = $XDG_CONFIG_HOME/gatehouse/config, with
 * XDG_CONFIG_HOME defaulting to ~/.config) and then overrides (strings
 * "section[.sub].key=value", may be NULL).  A missing file is not an error
 * when path_or_NULL is NULL (defaults apply); an explicitly named file must
 * exist.  Errors: -GTH_E_CONFIG with "file:line: message" (or "-c key:
 * message").  *out is freed with gth_config_free.
 */
int gth_config_load(const char *path_or_NULL, const struct gth_strvec *overrides,
	struct gth_config **out, struct gth_err *err);

void gth_config_free(struct gth_config *c);

/* The forge named name (NULL: the first), or NULL. */
const struct gth_config_forge *gth_config_forge(const struct gth_config *c, const char *name);

/* "github", "gitlab", "gitea". */
const char *gth_config_forge_kind_name(enum gth_forge_kind k);

/* The default search queries for GitHub, NULL-terminated. */
extern const char *const gth_config_default_github_queries[];

#endif
