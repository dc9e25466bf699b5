/* The dissection session: one epan session with the packet provider the
 * engine asks for frame times and interface names. The engine keeps
 * dissection state (conversations, reassembly) in globals, so one session
 * is alive at a time; kept packets hold a reference to theirs.
 * SPDX-License-Identifier: GPL-2.0-or-later */
#include <epan/packet.h>

#include "internal.h"

static cs_session *live_session;

/* ---- packet provider: what epan asks the application for ---------------- */

static const nstime_t *provider_frame_ts(struct packet_provider_data *prov, guint32 num)
{
    if (prov->ref && prov->ref->num == num)
        return &prov->ref->abs_ts;
    if (prov->prev_dis && prov->prev_dis->num == num)
        return &prov->prev_dis->abs_ts;
    if (prov->prev_cap && prov->prev_cap->num == num)
        return &prov->prev_cap->abs_ts;
    if (prov->frames) {
        frame_data *fd = frame_data_sequence_find(prov->frames, num);
        return fd ? &fd->abs_ts : NULL;
    }
    return NULL;
}

/* Interface names are copied into the session at their first use: the
 * engine asks for one per packet whose frame tree it builds, and finding it
 * in a file costs an allocation (wtap_file_get_idb_info's wrapper) and a
 * walk of the description's options; kept packets (which hold a reference
 * to the session) point at the copy after the source is gone. An
 * interface's name does not change while a capture reads: a packet names
 * an interface only after its description. */
static const char *provider_interface_name(struct packet_provider_data *prov, guint32 id)
{
    cs_session *s = (cs_session *)((char *)prov - offsetof(cs_session, prov));
    if (s->iface_names && id < s->iface_names->len && g_ptr_array_index(s->iface_names, id))
        return g_ptr_array_index(s->iface_names, id);
    if (!prov->src)
        return "unknown"; /* read no more: nothing to copy */
    const char *name = prov->src->ops->interface_name(prov->src, id);
    if (!s->iface_names)
        s->iface_names = g_ptr_array_new_with_free_func(g_free);
    if (id >= s->iface_names->len)
        g_ptr_array_set_size(s->iface_names, (guint)id + 1);
    return g_ptr_array_index(s->iface_names, id) = g_strdup(name ? name : "unknown");
}

static const char *provider_interface_description(struct packet_provider_data *prov, guint32 id)
{
    cs_source *src = prov->src;
    return src && src->ops->interface_description ? src->ops->interface_description(src, id)
                                                  : NULL;
}

static const struct packet_provider_funcs provider_funcs = {
    provider_frame_ts, provider_interface_name, provider_interface_description, NULL,
};

const char *cs_session_interface_name(cs_session *s, guint32 id)
{
    return provider_interface_name(&s->prov, id);
}

/* ---- lifetime ------------------------------------------------------------ */

static void end_epan(cs_session *s)
{
    if (s->epan) {
        epan_free(s->epan);
        s->epan = NULL;
    }
    if (live_session == s)
        live_session = NULL;
}

void cs_session_stop_reading(cs_session *s)
{
    s->reading = 0;
    s->prov.src = NULL;
    cshark_packet *spare = s->spare;
    s->spare = NULL;
    s->nspare = 0;
    while (spare) {
        cshark_packet *next = spare->kept_next;
        cs_packet_destroy(spare); /* drops its session reference */
        spare = next;
    }
}

void cs_session_unref(cs_session *s)
{
    if (--s->refs > 0)
        return;
    end_epan(s);
    if (s->prov.frames) {
        for (guint32 n = 1; frame_data_sequence_find(s->prov.frames, n); n++)
            frame_data_destroy(frame_data_sequence_find(s->prov.frames, n));
        free_frame_data_sequence(s->prov.frames);
    }
    if (s->fields)
        g_array_unref(s->fields);
    if (s->iface_names)
        g_ptr_array_unref(s->iface_names);
    g_free(s);
}

void cs_session_retire_live(void)
{
    if (!live_session)
        return;
    /* Packets kept from an earlier capture: make them independent of its
     * dissection state before the engine's globals are reset, with the
     * names they were dissected with. */
    cs_engine_use_resolution(live_session->resolve);
    cs_packets_freeze(live_session);
    end_epan(live_session);
}

cs_session *cs_session_new(cs_source *src, cs_resolve resolve)
{
    cs_session_retire_live();
    cs_engine_use_resolution(resolve);
    cs_session *s = g_new0(cs_session, 1);
    s->resolve = resolve;
    s->refs = 1;
    s->reading = 1;
    s->prov.src = src;
    cs_names_release(); /* before epan_new() orphans them: see names.c */
    s->epan = epan_new(&s->prov, &provider_funcs);
    live_session = s;
    return s;
}

cs_session *cs_session_renew(cs_session *old)
{
    cs_source *src = old->prov.src;
    cs_session_stop_reading(old);
    cs_session *s = cs_session_new(src, old->resolve);
    s->ref_frame = old->ref_frame;
    s->prov.ref = old->prov.ref ? &s->ref_frame : NULL;
    s->prev_dis_frame = old->prev_dis_frame;
    s->prov.prev_dis = old->prov.prev_dis ? &s->prev_dis_frame : NULL;
    s->prev_cap_frame = old->prev_cap_frame;
    s->prov.prev_cap = old->prov.prev_cap ? &s->prev_cap_frame : NULL;
    s->fields = old->fields ? g_array_ref(old->fields) : NULL;
    cs_session_unref(old);
    return s;
}
