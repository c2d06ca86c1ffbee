// A package registry for the @mktows scope only, serving the tarballs in a directory, for
// scripts/consumer-check.sh. With `@mktows:registry=<its address>` in npm's configuration, the
// README's install and npx lines run verbatim: npm asks this server for @mktows/* (which is not on
// the public registry before a release) and the public registry for everything else, with its
// default resolution.
//
// Usage: node scripts/consumer-registry.mjs DIR   (prints its address, then serves until killed)
import { execFileSync } from "node:child_process"
import console from "node:console"
import { createHash } from "node:crypto"
import { readdirSync, readFileSync } from "node:fs"
import { createServer } from "node:http"
import { join } from "node:path"
import process from "node:process"
import { URL } from "node:url"

const dir = process.argv[2]
if (!dir) {
  console.error("usage: node scripts/consumer-registry.mjs DIR")
  process.exit(2)
}

const packages = new Map()
for (const file of readdirSync(dir).filter((name) => name.endsWith(".tgz"))) {
  const bytes = readFileSync(join(dir, file))
  const manifest = JSON.parse(
    execFileSync("tar", ["-xzOf", join(dir, file), "package/package.json"], { encoding: "utf8" })
  )
  packages.set(manifest.name, {
    manifest,
    file,
    bytes,
    integrity: `sha512-${createHash("sha512").update(bytes).digest("base64")}`,
    shasum: createHash("sha1").update(bytes).digest("hex")
  })
}

const server = createServer((req, res) => {
  const { address, port } = server.address()
  const path = decodeURIComponent(new URL(req.url ?? "/", "http://registry").pathname).slice(1)
  const json = (status, body) => {
    res.writeHead(status, { "content-type": "application/json" })
    res.end(JSON.stringify(body))
  }
  if (path.startsWith("-/")) {
    const found = [...packages.values()].find((pkg) => pkg.file === path.slice(2))
    if (!found) return json(404, { error: "not found" })
    res.writeHead(200, { "content-type": "application/octet-stream", "content-length": found.bytes.length })
    return res.end(found.bytes)
  }
  const pkg = packages.get(path)
  if (!pkg) return json(404, { error: "not found" })
  const { version } = pkg.manifest
  json(200, {
    name: pkg.manifest.name,
    "dist-tags": { latest: version },
    versions: {
      [version]: {
        ...pkg.manifest,
        _id: `${pkg.manifest.name}@${version}`,
        dist: { tarball: `http://${address}:${port}/-/${pkg.file}`, integrity: pkg.integrity, shasum: pkg.shasum }
      }
    }
  })
})

server.listen(0, "127.0.0.1", () => {
  const { address, port } = server.address()
  console.log(`http://${address}:${port}/`)
})
