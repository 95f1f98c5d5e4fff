// Runs once, when MongoDB initialises an empty data volume (docker-entrypoint-initdb.d),
// as the root user Compose creates from NKOHUB_MONGO_ROOT_USER / NKOHUB_MONGO_ROOT_PASSWORD.
//
// One user per service, defined in and limited to that service's own database
// (readWrite on nkohub_<service>, nothing else): a service that is broken into can read
// no other service's data. The passwords come from .env (NKOHUB_MONGO_<SERVICE>_PASSWORD).
// A volume that already holds data is not initialised again: to change a password later,
// run db.getSiblingDB("nkohub_<service>").changeUserPassword(...) as root.
const services = ["registry", "events", "notifications", "publishing", "console"];
for (const service of services) {
  const variable = `NKOHUB_MONGO_${service.toUpperCase()}_PASSWORD`;
  const password = process.env[variable];
  if (!password) {
    throw new Error(`${variable} is not set: generate one with nkohub secrets`);
  }
  const database = `nkohub_${service}`;
  db.getSiblingDB(database).createUser({
    user: database,
    pwd: password,
    roles: [{ role: "readWrite", db: database }],
  });
  print(`created user ${database} (readWrite on ${database})`);
}
