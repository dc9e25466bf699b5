/* The field registry: names of fields and protocols, resolved and typed.
 * SPDX-License-Identifier: GPL-2.0-or-later */
#include <epan/proto.h>

#include "internal.h"

int cs_registry_find(const char *name, header_field_info **hf)
{
    CS_CHECK_ARG(name, "field name");
    int rc = cs_engine_check();
    if (rc != CSHARK_OK)
        return rc;
    *hf = proto_registrar_get_byname(name);
    if (!*hf)
        return cs_error(CSHARK_EUNKNOWN_FIELD, "\"%s\" is not a known field or protocol name",
                        name);
    return CSHARK_OK;
}

int cshark_field_check(const char *name)
{
    CS_ENTER();
    header_field_info *hf;
    return cs_registry_find(name, &hf);
}

int cshark_field_type(const char *name, cshark_type *type)
{
    CS_ENTER();
    CS_CHECK_ARG(type, "type");
    *type = CSHARK_TYPE_NONE;
    header_field_info *hf;
    int rc = cs_registry_find(name, &hf);
    if (rc == CSHARK_OK)
        *type = cs_type_of(hf->type);
    return rc;
}

int cshark_field_lookup(const char *name, const cshark_field **field)
{
    CS_ENTER();
    CS_CHECK_ARG(field, "field");
    *field = NULL;
    header_field_info *hf;
    int rc = cs_registry_find(name, &hf);
    if (rc == CSHARK_OK)
        *field = (const cshark_field *)hf;
    return rc;
}
