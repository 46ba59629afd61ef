/* Services: kernel subsystems that start after the buses have found their
 * devices and before the app runs, and stop when the VM ends (the network
 * stack is one). Like buses and kernel parameters (core/device.h,
 * core/param.h) a service declares itself where it lives, in a linker table:
 * an image that does not link a service does not start it. */
#ifndef CORE_SERVICE_H
#define CORE_SERVICE_H

struct service {
    const char *name;
    void (*start)(void); /* thread context, after buses_start() */
    void (*stop)(void); /* thread context, at kernel_exit before the devices quiesce; may be NULL */
};

#define SERVICE_REGISTER(ident, sname, sstart, sstop)                                              \
    static const struct service ident = {sname, sstart, sstop};                                    \
    static const struct service *const ident##_registration                                        \
        __attribute__((used, section("anyvm_services"), aligned(8))) = &ident

/* Starts every linked service, in link order. */
void services_start(void);
/* Stops the started ones, in reverse order; once (a second call does nothing). */
void services_stop(void);

#endif
