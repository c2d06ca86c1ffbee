// Marketo's Java syncMObjects sample, run against the emulator with a JAX-WS client that
// wsimport generated from the served WSDL (package com.marketo.mktows, with
// -XadditionalHeaders so that each method takes its SOAP headers as parameters, as in
// Marketo's own Java client).
//
// As Marketo's sample does, the service is built from ENDPOINT?WSDL: JAX-WS reads the WSDL
// at run time and checks every method of the generated port against it. Then the three
// documented calls: update Program 1970's period cost, create an Opportunity, create an
// OpportunityPersonRole for it. Every call is signed afresh with HMAC-SHA1. Finally two
// calls that must fail: a wrong key (20014), and getLead, which is in the WSDL but not
// implemented by the emulator (20019).
//
// Usage: java SyncMObjectsSample ENDPOINT USER_ID ENCRYPTION_KEY
// Prints one JSON summary line; exits 1 on an unexpected result.

import com.marketo.mktows.ArrayOfAttrib;
import com.marketo.mktows.ArrayOfMObjAssociation;
import com.marketo.mktows.ArrayOfMObject;
import com.marketo.mktows.ArrayOfTypeAttrib;
import com.marketo.mktows.Attrib;
import com.marketo.mktows.AuthenticationHeaderInfo;
import com.marketo.mktows.LeadKey;
import com.marketo.mktows.LeadKeyRef;
import com.marketo.mktows.MObjAssociation;
import com.marketo.mktows.MObjStatus;
import com.marketo.mktows.MObject;
import com.marketo.mktows.MktMktowsApiService;
import com.marketo.mktows.MktowsPort;
import com.marketo.mktows.ParamsGetLead;
import com.marketo.mktows.ParamsListMObjects;
import com.marketo.mktows.ParamsSyncMObjects;
import com.marketo.mktows.SuccessSyncMObjects;
import com.marketo.mktows.SyncOperationEnum;
import com.marketo.mktows.TypeAttrib;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.text.SimpleDateFormat;
import java.util.Date;
import java.util.HexFormat;
import java.util.List;
import java.util.TimeZone;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import javax.xml.namespace.QName;
import javax.xml.soap.Detail;
import javax.xml.ws.soap.SOAPFaultException;
import org.w3c.dom.NodeList;

public final class SyncMObjectsSample {
    private static final String NAMESPACE = "http://www.marketo.com/mktows/";

    private final MktowsPort port;
    private final String userId;
    private final String key;

    private SyncMObjectsSample(MktowsPort port, String userId, String key) {
        this.port = port;
        this.userId = userId;
        this.key = key;
    }

    public static void main(String[] args) throws Exception {
        if (args.length < 3) {
            System.err.println("usage: java SyncMObjectsSample ENDPOINT USER_ID ENCRYPTION_KEY");
            System.exit(2);
        }
        URL wsdl = new URL(args[0] + "?WSDL");
        MktMktowsApiService service = new MktMktowsApiService(wsdl, new QName(NAMESPACE, "MktMktowsApiService"));
        SyncMObjectsSample sample = new SyncMObjectsSample(service.getMktowsApiSoapPort(), args[1], args[2]);
        System.out.println(sample.run());
    }

    // The timestamp as Marketo's Java sample writes it: seconds, and the zone offset with a colon.
    private static String timestamp() {
        SimpleDateFormat format = new SimpleDateFormat("yyyy-MM-dd'T'HH:mm:ssZ");
        format.setTimeZone(TimeZone.getTimeZone("America/Los_Angeles"));
        String text = format.format(new Date());
        return text.substring(0, 22) + ":" + text.substring(22);
    }

    // requestSignature = lowercase hex of HMAC-SHA1(key, requestTimestamp + mktowsUserId).
    private AuthenticationHeaderInfo header(String secret) throws Exception {
        String requestTimestamp = timestamp();
        Mac mac = Mac.getInstance("HmacSHA1");
        mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA1"));
        byte[] digest = mac.doFinal((requestTimestamp + userId).getBytes(StandardCharsets.UTF_8));
        AuthenticationHeaderInfo header = new AuthenticationHeaderInfo();
        header.setMktowsUserId(userId);
        header.setRequestTimestamp(requestTimestamp);
        header.setRequestSignature(HexFormat.of().formatHex(digest));
        return header;
    }

    private static Attrib attrib(String name, String value) {
        Attrib attrib = new Attrib();
        attrib.setName(name);
        attrib.setValue(value);
        return attrib;
    }

    private static ArrayOfAttrib attribs(Attrib... items) {
        ArrayOfAttrib list = new ArrayOfAttrib();
        list.getAttrib().addAll(List.of(items));
        return list;
    }

    private MObjStatus syncOne(MObject object, SyncOperationEnum operation) throws Exception {
        ParamsSyncMObjects request = new ParamsSyncMObjects();
        ArrayOfMObject objects = new ArrayOfMObject();
        objects.getMObject().add(object);
        request.setMObjectList(objects);
        request.setOperation(operation);
        SuccessSyncMObjects result = port.syncMObjects(request, header(key));
        List<MObjStatus> statuses = result.getResult().getMObjStatusList().getMObjStatus();
        if (statuses.size() != 1) {
            fail("expected one mObjStatus, got " + statuses.size());
        }
        return statuses.get(0);
    }

    private static void expect(MObjStatus status, String expected, String what) {
        if (!expected.equals(status.getStatus().value())) {
            fail(what + ": expected " + expected + ", got " + status.getStatus().value() + " " + status.getError());
        }
    }

    private static void fail(String message) {
        System.err.println(message);
        System.exit(1);
    }

    private static String json(String text) {
        StringBuilder out = new StringBuilder("\"");
        for (char c : text.toCharArray()) {
            if (c == '"' || c == '\\') {
                out.append('\\').append(c);
            } else if (c < 0x20) {
                out.append(String.format("\\u%04x", (int) c));
            } else {
                out.append(c);
            }
        }
        return out.append('"').toString();
    }

    private static String statusJson(MObjStatus status) {
        return "{\"id\":" + status.getId() + ",\"status\":" + json(status.getStatus().value()) + "}";
    }

    // Marketo's fault detail: serviceException, whose unqualified child `code` holds the number.
    private static String faultJson(SOAPFaultException fault) {
        String code = "";
        Detail detail = fault.getFault().getDetail();
        if (detail != null) {
            NodeList codes = detail.getElementsByTagNameNS("*", "code");
            if (codes.getLength() > 0) {
                code = codes.item(0).getTextContent();
            }
        }
        return "{\"faultcode\":" + json(fault.getFault().getFaultCode()) + ",\"faultstring\":"
            + json(fault.getFault().getFaultString()) + ",\"code\":" + json(code) + "}";
    }

    private String run() throws Exception {
        // 1. UPDATE Program 1970: period cost 153 of June 2013 becomes 2000.
        TypeAttrib cost = new TypeAttrib();
        cost.setAttrType("Cost");
        cost.setAttrList(attribs(attrib("Month", "2013-06"), attrib("Amount", "2000"), attrib("Id", "153")));
        MObject program = new MObject();
        program.setType("Program");
        program.setId(1970);
        program.setTypeAttribList(new ArrayOfTypeAttrib());
        program.getTypeAttribList().getTypeAttrib().add(cost);
        MObjStatus programStatus = syncOne(program, SyncOperationEnum.UPDATE);
        expect(programStatus, "UPDATED", "program cost update");

        // 2. INSERT an Opportunity of the Company whose external key companyId is COMP-1.
        MObject opportunity = new MObject();
        opportunity.setType("Opportunity");
        opportunity.setAttribList(attribs(
            attrib("Name", "JAX-WS opportunity " + Long.toHexString(System.nanoTime())),
            attrib("Amount", "5000"),
            attrib("Stage", "Prospecting")));
        MObjAssociation company = new MObjAssociation();
        company.setMObjType("Company");
        company.setExternalKey(attrib("companyId", "COMP-1"));
        opportunity.setAssociationList(new ArrayOfMObjAssociation());
        opportunity.getAssociationList().getMObjAssociation().add(company);
        MObjStatus opportunityStatus = syncOne(opportunity, SyncOperationEnum.INSERT);
        expect(opportunityStatus, "CREATED", "opportunity insert");

        // 3. INSERT an OpportunityPersonRole: Lead 19 as the primary decision maker.
        MObject role = new MObject();
        role.setType("OpportunityPersonRole");
        role.setAttribList(attribs(
            attrib("OpportunityId", String.valueOf(opportunityStatus.getId())),
            attrib("PersonId", "19"),
            attrib("Role", "Decision Maker"),
            attrib("IsPrimary", "true")));
        MObjStatus roleStatus = syncOne(role, SyncOperationEnum.INSERT);
        expect(roleStatus, "CREATED", "opportunity person role insert");

        // 4. A wrong key: a SOAP fault, which JAX-WS raises as a SOAPFaultException.
        String authFault = null;
        try {
            port.listMObjects(new ParamsListMObjects(), header(key + "x"));
            fail("wrong key: expected a SOAP fault, the call succeeded");
        } catch (SOAPFaultException fault) {
            authFault = faultJson(fault);
        }

        // 5. getLead: in the WSDL, not implemented by the emulator.
        String unsupported = null;
        try {
            ParamsGetLead getLead = new ParamsGetLead();
            LeadKey leadKey = new LeadKey();
            leadKey.setKeyType(LeadKeyRef.IDNUM);
            leadKey.setKeyValue("19");
            getLead.setLeadKey(leadKey);
            port.getLead(getLead, header(key));
            fail("getLead: expected a SOAP fault, the call succeeded");
        } catch (SOAPFaultException fault) {
            unsupported = faultJson(fault);
        }

        return "{\"client\":\"jax-ws\",\"programUpdate\":" + statusJson(programStatus)
            + ",\"opportunity\":" + statusJson(opportunityStatus)
            + ",\"role\":" + statusJson(roleStatus)
            + ",\"authFault\":" + authFault
            + ",\"getLead\":" + unsupported + "}";
    }
}
