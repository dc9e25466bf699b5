/* Works around a leak in libwireshark 4.0: every epan_new() re-reads the
 * name-resolution files (manuf, services, ...) into new tables and drops the
 * old ones without freeing them. They live in the epan scope, which is only
 * freed at exit, so each capture opened (and each periodic session reset of a
 * live capture) cost about 11 MB for good. The tables are reachable through
 * the public getters, so before each epan_new() we empty the old ones: their
 * entries go back to the epan allocator, and the new tables reuse the memory.
 * The emptied maps and their bucket arrays are freed too, which needs the
 * head of the private wmem_map_t; the first capture's tables are left alone
 * (see cs_names_release).
 *
 * This knows which keys and values addr_resolv.c allocates, so it is tied to
 * 4.0; later versions free these tables themselves.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later */
#include "internal.h"

#include <epan/addr_resolv.h>

enum key_owner {
    KEY_NOT_OWNED, /* a number in the pointer, or inside the value */
    KEY_OWNED      /* its own epan-scope allocation */
};

static void free_serv_port(void *value)
{
    serv_port_t *sp = value;
    wmem_allocator_t *scope = wmem_epan_scope();
    wmem_free(scope, sp->udp_name);
    wmem_free(scope, sp->tcp_name);
    wmem_free(scope, sp->sctp_name);
    wmem_free(scope, sp->dccp_name);
    wmem_free(scope, sp->numeric);
    wmem_free(scope, sp);
}

static void free_plain(void *value)
{
    wmem_free(wmem_epan_scope(), value);
}

/* wsutil's struct _wmem_map_t and its items in 4.0 (wmem_map.c): walking
 * the buckets directly frees a table in one pass, where listing its keys
 * and removing them one by one (a hash each) cost ~2.5 times as much, a
 * visible share of opening each of many small files. */
struct map_item {
    const void *key;
    void *value;
    struct map_item *next;
};

struct map_head {
    guint count;
    size_t capacity; /* log2 of the bucket count */
    struct map_item **table; /* NULL while empty */
};

/* Free every entry of map, what the engine allocated for it, then the map
 * itself: epan_new() drops the pointer to it next, and looks at it no more
 * (host_name_lookup_reset builds new maps before anything else). */
static void drain(wmem_map_t *map, enum key_owner keys, void (*free_value)(void *))
{
    if (!map)
        return;
    wmem_allocator_t *scope = wmem_epan_scope();
    struct map_head *head = (struct map_head *)map;
    size_t buckets = head->table ? (size_t)1 << head->capacity : 0;
    for (size_t i = 0; i < buckets; i++) {
        struct map_item *next;
        for (struct map_item *item = head->table[i]; item; item = next) {
            next = item->next;
            /* The key first: an Ethernet table key points into its value. */
            if (keys == KEY_OWNED)
                wmem_free(scope, (void *)item->key);
            if (item->value)
                free_value(item->value);
            wmem_free(scope, item);
        }
    }
    wmem_free(scope, head->table);
    wmem_free(scope, map);
}

void cs_names_release(void)
{
    /* The tables epan_init() built are dropped once, by the first epan_new():
     * a fixed 11 MB, where draining them would add ~15 ms to every start (a
     * quarter of a one-packet run's dissection set-up). Later ones add up. */
    static int first = 1;
    if (first) {
        first = 0;
        return;
    }
    drain(get_manuf_hashtable(), KEY_NOT_OWNED, free_plain);
    drain(get_wka_hashtable(), KEY_OWNED, free_plain);
    drain(get_eth_hashtable(), KEY_NOT_OWNED, free_plain);
    drain(get_serv_port_hashtable(), KEY_NOT_OWNED, free_serv_port);
    drain(get_ipxnet_hash_table(), KEY_NOT_OWNED, free_plain);
    drain(get_vlan_hash_table(), KEY_NOT_OWNED, free_plain);
    drain(get_ipv4_hash_table(), KEY_NOT_OWNED, free_plain);
    drain(get_ipv6_hash_table(), KEY_OWNED, free_plain);
}
