// A read buffer under libmosquitto, by interposing read(2) for the MQTT socket only.
//
// Why: libmosquitto reads each packet with about four read(2) calls (the command byte, the
// length bytes one by one, the rest) and offers no way to give it a buffer. Once the network
// thread drains hundreds of packets per wake-up (MQTTSource+NetworkLoop.swift), those calls
// are most of its time (perf, under `scripts/loadtest.py --qos 0 --readings 20`), nearly all of
// it per-call work (socket lock, file lookup, timestamps) rather than copying bytes. Here one read(2) of up to 64 KiB serves
// every packet in it. (Tried before the network thread drained the socket, when it read a
// few packets per wake-up, this measured no better; see Benchmarks/README.md.)
//
// How: the executable defines `read`; libmosquitto (and OpenSSL under it, with TLS) imports
// `read`, so the dynamic linker binds their calls to this definition, which the static linker
// exports because those libraries reference it. A read goes through the buffer only on the
// thread that armed it and only for the armed socket; every other read goes straight to the
// kernel (`syscall`: glibc's `read` would be this function again). The Swift side arms the
// buffer only while it drains the socket and leaves no bytes in it when libmosquitto goes back
// to `pselect`.
//
// Threads: all state but the thread-local flag belongs to the network thread; other threads
// read only their own flag, which is never set.

#include "mqtt_read_buffer.h"

#if defined(__linux__)

#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#define CAPACITY 65536

/// Set on the thread that armed the buffer (the network thread), never on any other.
static _Thread_local _Bool is_network_thread;
/// The socket whose reads are served from `buffer`, or -1.
static int served_fd = -1;
/// Whether an empty buffer is refilled (armed) or the read goes to the kernel.
static _Bool refill;
static unsigned char buffer[CAPACITY];
/// The bytes not yet handed out are `buffer[start..<end]`.
static size_t start, end;
static int was_used;

static ssize_t kernel_read(int fd, void *destination, size_t count) {
    return syscall(SYS_read, fd, destination, count);
}

ssize_t read(int fd, void *destination, size_t count) {
    if (!is_network_thread || fd != served_fd) return kernel_read(fd, destination, count);
    was_used = 1;
    if (start == end) {
        if (!refill || count >= CAPACITY) return kernel_read(fd, destination, count);
        ssize_t got = kernel_read(fd, buffer, CAPACITY);
        if (got <= 0) return got;  // errno as the kernel left it (EAGAIN when drained)
        start = 0;
        end = (size_t)got;
    }
    size_t handed = end - start < count ? end - start : count;
    memcpy(destination, buffer + start, handed);
    start += handed;
    return (ssize_t)handed;
}

void mqtt_read_buffer_release(void) {
    served_fd = -1;
    refill = 0;
    start = end = 0;
}

void mqtt_read_buffer_arm(int fd) {
    if (fd < 0) {
        mqtt_read_buffer_release();
        return;
    }
    is_network_thread = 1;
    if (fd != served_fd) start = end = 0;
    served_fd = fd;
    refill = 1;
}

void mqtt_read_buffer_stop_refilling(void) {
    refill = 0;
}

size_t mqtt_read_buffer_pending(void) {
    return end - start;
}

int mqtt_read_buffer_was_used(void) {
    return was_used;
}

#else

// Elsewhere an executable cannot replace a library's `read` this way: no buffer.
void mqtt_read_buffer_arm(int fd) { (void)fd; }
void mqtt_read_buffer_stop_refilling(void) {}
size_t mqtt_read_buffer_pending(void) { return 0; }
void mqtt_read_buffer_release(void) {}
int mqtt_read_buffer_was_used(void) { return 0; }

#endif
