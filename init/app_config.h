/* What an image says about its app, from one generated source file linked
 * into it: the Makefile writes it for the apps in apps/, tools/anyvm build
 * (tools/anyvm_lib/app.py) from an app's anyvm.toml. */
#ifndef INIT_APP_CONFIG_H
#define INIT_APP_CONFIG_H

/* argv[0] of the app's main(). */
extern const char anyvm_app_name[];
/* The arguments main() gets when the command line gives none (no ` -- `, or
 * nothing after it); NULL-terminated. */
extern const char *const anyvm_app_default_args[];
/* The app's stack in bytes; 0: the kernel's default (init/main.c). */
extern const unsigned long anyvm_app_stack_bytes;

#endif
