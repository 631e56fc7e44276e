/** Entry point of the workflow bundle: every workflow type the workers register. */
export { projectWorkflow } from './project.js';
