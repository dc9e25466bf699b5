/* Values by field name: the first occurrence's typed value in one call, for
 * analyzers that read a few fields of every packet. Only the public item
 * calls: nothing here depends on the engine's version.
 * SPDX-License-Identifier: GPL-2.0-or-later */
#include "internal.h"

/* The first NAME in PKT into *IT, or the lookup's error (set). */
static int first(cshark_packet *pkt, const char *name, const cshark_item **it)
{
    CS_CHECK_ARG(name, "name");
    return cshark_packet_field(pkt, name, it);
}

int cshark_packet_field_uint(cshark_packet *pkt, const char *name, uint64_t *value)
{
    CS_ENTER();
    const cshark_item *it;
    int rc = first(pkt, name, &it);
    return rc == CSHARK_OK ? cshark_item_uint(it, value) : rc;
}

int cshark_packet_field_int(cshark_packet *pkt, const char *name, int64_t *value)
{
    CS_ENTER();
    const cshark_item *it;
    int rc = first(pkt, name, &it);
    return rc == CSHARK_OK ? cshark_item_int(it, value) : rc;
}

int cshark_packet_field_double(cshark_packet *pkt, const char *name, double *value)
{
    CS_ENTER();
    const cshark_item *it;
    int rc = first(pkt, name, &it);
    return rc == CSHARK_OK ? cshark_item_double(it, value) : rc;
}

int cshark_packet_field_string(cshark_packet *pkt, const char *name, const char **value)
{
    CS_ENTER();
    const cshark_item *it;
    int rc = first(pkt, name, &it);
    return rc == CSHARK_OK ? cshark_item_string(it, value) : rc;
}

int cshark_packet_field_seconds(cshark_packet *pkt, const char *name, double *seconds)
{
    CS_ENTER();
    const cshark_item *it;
    int rc = first(pkt, name, &it);
    return rc == CSHARK_OK ? cshark_item_seconds(it, seconds) : rc;
}

int cshark_packet_field_time(cshark_packet *pkt, const char *name, int64_t *seconds,
                             int32_t *nanoseconds)
{
    CS_ENTER();
    const cshark_item *it;
    int rc = first(pkt, name, &it);
    return rc == CSHARK_OK ? cshark_item_time(it, seconds, nanoseconds) : rc;
}

int cshark_packet_field_show(cshark_packet *pkt, const char *name, const char **show)
{
    CS_ENTER();
    CS_CHECK_ARG(show, "show");
    *show = NULL;
    const cshark_item *it;
    int rc = first(pkt, name, &it);
    if (rc == CSHARK_OK)
        *show = cshark_item_show(it);
    return rc;
}
