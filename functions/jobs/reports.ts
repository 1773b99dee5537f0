// Placeholder so the CDK app can synthesize while the handler is being written.
export const handler = async (): Promise<never> => {
  throw new Error('functions/jobs/reports: not implemented yet');
};
