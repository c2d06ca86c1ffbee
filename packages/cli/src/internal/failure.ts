/**
 * How a command ends early: an exit code and what to tell the user.
 */

/** The job stops: 2 for usage and validation errors (nothing was sent), 1 otherwise. */
// Defined in the public CliError module: commands end with it.
import { Stop } from "../CliError.js"

export { Stop }
