/** Thrown when a fork cannot be made; nothing has been written when it is. */
export class NewServiceError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'NewServiceError';
  }
}
