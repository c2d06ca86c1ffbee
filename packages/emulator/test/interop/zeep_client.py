"""Python zeep against the emulator: reads the served WSDL, signs every call with a fresh
AuthenticationHeader built from the WSDL's own global element, lists the MObject types, creates an
Opportunity, reads it back, deletes it and checks it is gone.

Usage: /usr/bin/python3 zeep_client.py WSDL_URL USER_ID ENCRYPTION_KEY
Prints one JSON summary line; exits 1 on a SOAP fault or an unexpected result.
"""

import hashlib
import hmac
import json
import secrets
import sys
from datetime import datetime, timedelta, timezone

import zeep
from zeep.exceptions import Error as ZeepError
from zeep.exceptions import Fault
from zeep.plugins import HistoryPlugin

MKTOWS = "http://www.marketo.com/mktows/"


def main(wsdl_url, user_id, encryption_key):
    history = HistoryPlugin()
    client = zeep.Client(wsdl_url, plugins=[history])
    header_element = client.get_element("{%s}AuthenticationHeader" % MKTOWS)

    def auth_header(key=encryption_key):
        # A non-UTC, non-whole-hour offset: the emulator must honour the offset as written.
        now = datetime.now(timezone(timedelta(hours=5, minutes=30))).replace(microsecond=0)
        timestamp = now.isoformat()
        signature = hmac.new(key.encode(), (timestamp + user_id).encode(), hashlib.sha1).hexdigest()
        return header_element(mktowsUserId=user_id, requestSignature=signature, requestTimestamp=timestamp)

    def fail(message):
        sys.stderr.write(message + "\n")
        for label, entry in (("last request", history.last_sent), ("last response", history.last_received)):
            if entry is not None:
                from lxml import etree

                sys.stderr.write("--- %s ---\n%s\n" % (label, etree.tostring(entry["envelope"], pretty_print=True).decode()))
        sys.exit(1)

    def call(op_name, **params):
        try:
            reply = getattr(client.service, op_name)(_soapheaders=[auth_header()], **params)
        except ZeepError as error:
            fail("%s in %s: %s" % (type(error).__name__, op_name, error))
        # zeep unwraps single-child wrappers all the way down: successSyncMObjects -> result ->
        # mObjStatusList, successListMObjects -> result -> objects (a list); getMObjects keeps result.
        return reply

    def statuses(status_list):
        return list(status_list["mObjStatus"] or []) if status_list is not None else []

    summary = {"client": "zeep", "zeepVersion": zeep.__version__}

    # 1. listMObjects: no parameters at all.
    result = call("listMObjects")
    objects = list(result or [])
    if "Opportunity" not in objects:
        fail("listMObjects: expected Opportunity among %r" % objects)
    summary["listMObjects"] = objects

    # 2. INSERT an Opportunity of Company 8, associated by id.
    name = "zeep opportunity " + secrets.token_hex(4)
    result = call(
        "syncMObjects",
        mObjectList={"mObject": [{
            "type": "Opportunity",
            "attribList": {"attrib": [
                {"name": "Name", "value": name},
                {"name": "Amount", "value": "99.95"},
                {"name": "Stage", "value": "Qualification"},
            ]},
            "associationList": {"mObjAssociation": [{"mObjType": "Company", "id": 8}]},
        }]},
        operation="INSERT",
    )
    created = statuses(result)
    if len(created) != 1 or created[0]["status"] != "CREATED" or not isinstance(created[0]["id"], int):
        fail("opportunity insert: expected one CREATED status with an id, got %r" % created)
    opportunity_id = created[0]["id"]
    summary["created"] = {"id": opportunity_id, "status": created[0]["status"], "name": name}

    # 3. Read it back by id.
    result = call("getMObjects", type="Opportunity", id=opportunity_id)
    found = list(result["mObjectList"]["mObject"]) if result["mObjectList"] is not None else []
    names = [a["value"] for o in found for a in (o["attribList"]["attrib"] if o["attribList"] else []) if a["name"] == "Name"]
    if result["returnCount"] != 1 or len(found) != 1 or found[0]["id"] != opportunity_id or names != [name]:
        fail("opportunity read back: expected it with Name %r, got %r" % (name, result))
    summary["readBack"] = {
        "returnCount": result["returnCount"],
        "hasMore": result["hasMore"],
        "id": found[0]["id"],
        "name": names[0],
    }

    # 3b. Find it again by criteria (attrValue is xs:anySimpleType) and by its Company.
    result = call(
        "getMObjects",
        type="Opportunity",
        mObjCriteriaList={"mObjCriteria": [{"attrName": "Name", "comparison": "EQ", "attrValue": name}]},
        mObjAssociationList={"mObjAssociation": [{"mObjType": "Company", "id": 8}]},
    )
    matched = list(result["mObjectList"]["mObject"]) if result["mObjectList"] is not None else []
    if result["returnCount"] != 1 or [o["id"] for o in matched] != [opportunity_id]:
        fail("getMObjects by criteria: expected only %r, got %r" % (opportunity_id, result))
    companies = [a["id"] for a in (matched[0]["associationList"]["mObjAssociation"] if matched[0]["associationList"] else []) if a["mObjType"] == "Company"]
    summary["byCriteria"] = {"returnCount": result["returnCount"], "ids": [o["id"] for o in matched], "companyIds": companies}

    # 4. Delete it, then check it is gone.
    result = call("deleteMObjects", mObjectList={"mObject": [{"type": "Opportunity", "id": opportunity_id}]})
    deleted = statuses(result)
    if len(deleted) != 1 or deleted[0]["status"] != "DELETED" or deleted[0]["id"] != opportunity_id:
        fail("opportunity delete: expected one DELETED status, got %r" % deleted)
    summary["deleted"] = {"id": deleted[0]["id"], "status": deleted[0]["status"]}

    result = call("getMObjects", type="Opportunity", id=opportunity_id)
    remaining = list(result["mObjectList"]["mObject"]) if result["mObjectList"] is not None else []
    if result["returnCount"] != 0 or remaining:
        fail("after delete: expected no opportunity, got %r" % result)
    summary["afterDelete"] = {"returnCount": result["returnCount"]}

    # 5. A wrong key: the fault must come through as zeep's Fault, with Marketo's detail.
    try:
        client.service.listMObjects(_soapheaders=[auth_header(encryption_key + "x")])
        fail("wrong key: expected a fault, the call succeeded")
    except Fault as fault:
        code = fault.detail.findtext("{%s}serviceException/code" % MKTOWS) if fault.detail is not None else None
        if not str(fault.message).startswith("20014") or code != "20014":
            fail("wrong key: expected fault 20014, got %r %r %r" % (fault.code, fault.message, code))
        summary["authFault"] = {"faultcode": fault.code, "faultstring": fault.message, "code": code}

    print(json.dumps(summary))


if __name__ == "__main__":
    if len(sys.argv) < 4:
        sys.stderr.write("usage: zeep_client.py WSDL_URL USER_ID ENCRYPTION_KEY\n")
        sys.exit(2)
    main(*sys.argv[1:4])
