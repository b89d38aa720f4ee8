import { jestConfig } from '../../jest.preset.mjs';

export default jestConfig('event-logger');
