<?php
// Marketo's PHP syncMObjects sample, run against the emulator: PHP's SoapClient reads the
// served WSDL, signs every call with a fresh AuthenticationHeader, updates Program 1970's
// cost, creates an Opportunity, reads it back, deletes it and checks it is gone.
// Usage: php sync.php WSDL_URL USER_ID ENCRYPTION_KEY
// Prints one JSON summary line; exits 1 on a SOAP fault or an unexpected result.

if ($argc < 4) {
    fwrite(STDERR, "usage: php sync.php WSDL_URL USER_ID ENCRYPTION_KEY\n");
    exit(2);
}
[, $wsdlUrl, $userId, $encryptionKey] = $argv;
$marketoNameSpace = "http://www.marketo.com/mktows/";

$options = ["trace" => 1, "exceptions" => true, "soap_version" => SOAP_1_1, "cache_wsdl" => WSDL_CACHE_NONE];
$soapClient = new SoapClient($wsdlUrl, $options);

// As in Marketo's sample: a W3C timestamp in the account's zone, signed with HMAC-SHA1.
function authHeader(string $ns, string $userId, string $key): SoapHeader
{
    $dtObj = new DateTime("now", new DateTimeZone("America/Los_Angeles"));
    $timestamp = $dtObj->format(DATE_W3C);
    $attrs = new stdClass();
    $attrs->mktowsUserId = $userId;
    $attrs->requestSignature = hash_hmac("sha1", $timestamp . $userId, $key);
    $attrs->requestTimestamp = $timestamp;
    return new SoapHeader($ns, "AuthenticationHeader", $attrs);
}

// SoapClient turns a one-item sequence into the item itself and an empty one into null.
function asList($value): array
{
    if ($value === null) {
        return [];
    }
    return is_array($value) ? $value : [$value];
}

function fail(string $message, SoapClient $client): void
{
    fwrite(STDERR, $message . "\n");
    fwrite(STDERR, "--- last request ---\n" . $client->__getLastRequest() . "\n");
    fwrite(STDERR, "--- last response ---\n" . $client->__getLastResponse() . "\n");
    exit(1);
}

function call(SoapClient $client, string $operation, array $params, string $ns, string $userId, string $key)
{
    try {
        return $client->__soapCall($operation, [$params], [], authHeader($ns, $userId, $key));
    } catch (SoapFault $fault) {
        fail("SoapFault in $operation: [" . $fault->faultcode . "] " . $fault->getMessage(), $client);
    }
}

function statuses($result): array
{
    return asList($result->result->mObjStatusList->mObjStatus ?? null);
}

$summary = ["client" => "php-soap", "phpVersion" => PHP_VERSION];

// 1. UPDATE Program 1970's period cost 153 (Marketo's documented request).
$cost = new stdClass();
$cost->attrType = "Cost";
$cost->attrList = ["attrib" => [
    ["name" => "Month", "value" => "2013-06"],
    ["name" => "Amount", "value" => "2000"],
    ["name" => "Id", "value" => "153"],
]];
$program = new stdClass();
$program->type = "Program";
$program->id = 1970;
$program->typeAttribList = ["typeAttrib" => [$cost]];
$result = call($soapClient, "syncMObjects", [
    "mObjectList" => ["mObject" => [$program]],
    "operation" => "UPDATE",
], $marketoNameSpace, $userId, $encryptionKey);
$programStatus = statuses($result);
if (count($programStatus) !== 1 || $programStatus[0]->status !== "UPDATED" || (int)$programStatus[0]->id !== 1970) {
    fail("program cost update: expected one UPDATED status for 1970, got " . json_encode($programStatus), $soapClient);
}
$summary["programUpdate"] = ["id" => (int)$programStatus[0]->id, "status" => $programStatus[0]->status];

// 2. INSERT an Opportunity of the Company whose external key companyId is COMP-1 (Marketo
//    assigns the id).
$name = "PHP SoapClient opportunity " . bin2hex(random_bytes(4));
$opportunity = new stdClass();
$opportunity->type = "Opportunity";
$opportunity->attribList = ["attrib" => [
    ["name" => "Name", "value" => $name],
    ["name" => "Amount", "value" => "1234.5"],
    ["name" => "Stage", "value" => "Prospecting"],
]];
$opportunity->associationList = ["mObjAssociation" => [
    ["mObjType" => "Company", "externalKey" => ["name" => "companyId", "value" => "COMP-1"]],
]];
$result = call($soapClient, "syncMObjects", [
    "mObjectList" => ["mObject" => [$opportunity]],
    "operation" => "INSERT",
], $marketoNameSpace, $userId, $encryptionKey);
$created = statuses($result);
if (count($created) !== 1 || $created[0]->status !== "CREATED" || !is_numeric($created[0]->id)) {
    fail("opportunity insert: expected one CREATED status with an id, got " . json_encode($created), $soapClient);
}
$opportunityId = (int)$created[0]->id;
$summary["created"] = ["id" => $opportunityId, "status" => $created[0]->status, "name" => $name];

// 3. Read it back by id.
$result = call($soapClient, "getMObjects", ["type" => "Opportunity", "id" => $opportunityId], $marketoNameSpace, $userId, $encryptionKey);
$objects = asList($result->result->mObjectList->mObject ?? null);
$readName = null;
$companyIds = [];
if (count($objects) === 1) {
    foreach (asList($objects[0]->attribList->attrib ?? null) as $attrib) {
        if ($attrib->name === "Name") {
            $readName = $attrib->value;
        }
    }
    foreach (asList($objects[0]->associationList->mObjAssociation ?? null) as $association) {
        if ($association->mObjType === "Company") {
            $companyIds[] = (int)$association->id;
        }
    }
}
if ((int)$result->result->returnCount !== 1 || count($objects) !== 1 || (int)$objects[0]->id !== $opportunityId || $readName !== $name) {
    fail("opportunity read back: expected it with Name '$name', got " . json_encode($result), $soapClient);
}
$summary["readBack"] = [
    "returnCount" => (int)$result->result->returnCount,
    "hasMore" => (bool)$result->result->hasMore,
    "id" => (int)$objects[0]->id,
    "name" => $readName,
    "companyIds" => $companyIds,
];

// 4. Delete it, then check it is gone.
$target = new stdClass();
$target->type = "Opportunity";
$target->id = $opportunityId;
$result = call($soapClient, "deleteMObjects", ["mObjectList" => ["mObject" => [$target]]], $marketoNameSpace, $userId, $encryptionKey);
$deleted = statuses($result);
if (count($deleted) !== 1 || $deleted[0]->status !== "DELETED" || (int)$deleted[0]->id !== $opportunityId) {
    fail("opportunity delete: expected one DELETED status, got " . json_encode($deleted), $soapClient);
}
$summary["deleted"] = ["id" => (int)$deleted[0]->id, "status" => $deleted[0]->status];

$result = call($soapClient, "getMObjects", ["type" => "Opportunity", "id" => $opportunityId], $marketoNameSpace, $userId, $encryptionKey);
$remaining = asList($result->result->mObjectList->mObject ?? null);
if ((int)$result->result->returnCount !== 0 || count($remaining) !== 0) {
    fail("after delete: expected no opportunity, got " . json_encode($result), $soapClient);
}
$summary["afterDelete"] = ["returnCount" => (int)$result->result->returnCount];

// 5. A wrong key: Marketo answers with a SOAP fault that SoapClient must surface as a SoapFault.
try {
    $soapClient->__soapCall("listMObjects", [new stdClass()], [], authHeader($marketoNameSpace, $userId, $encryptionKey . "x"));
    fail("wrong key: expected a SoapFault, the call succeeded", $soapClient);
} catch (SoapFault $fault) {
    $code = $fault->detail->serviceException->code ?? null;
    if (strpos($fault->faultstring, "20014") !== 0 || (string)$code !== "20014") {
        fail("wrong key: expected fault 20014, got [" . $fault->faultcode . "] " . $fault->faultstring . " " . json_encode($fault->detail ?? null), $soapClient);
    }
    $summary["authFault"] = ["faultcode" => $fault->faultcode, "faultstring" => $fault->faultstring, "code" => (string)$code];
}

echo json_encode($summary), "\n";
