// The only place in the code base that includes libmosquitto's headers.
#ifndef TELEMETRY_CMOSQUITTO_SHIM_H
#define TELEMETRY_CMOSQUITTO_SHIM_H
#include <mosquitto.h>
#include <mqtt_protocol.h>
#endif
