// A read buffer under libmosquitto for the MQTT socket (mqtt_read_buffer.c explains why and how).
// Every function is for the network thread only.
#ifndef MQTT_READ_BUFFER_H
#define MQTT_READ_BUFFER_H

#include <stddef.h>

/// Buffers this thread's reads of socket `fd` from now on: a read that finds the buffer empty
/// reads up to 64 KiB from the kernel and hands out what was asked for.
void mqtt_read_buffer_arm(int fd);

/// Stops refilling: reads get what is still buffered, then go to the kernel directly.
void mqtt_read_buffer_stop_refilling(void);

/// Bytes buffered and not yet handed out. They must reach libmosquitto before it waits in
/// `pselect`, which cannot see them.
size_t mqtt_read_buffer_pending(void);

/// Forgets the socket and any buffered bytes (all reads go to the kernel again).
void mqtt_read_buffer_release(void);

/// Whether a read of the armed socket has come through the buffer since the process started:
/// false when the dynamic linker did not bind libmosquitto's `read` to the executable's.
int mqtt_read_buffer_was_used(void);

#endif
